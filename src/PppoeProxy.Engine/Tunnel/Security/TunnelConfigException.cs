namespace PppoeProxy.Engine.Tunnel.Security;

/// <summary>A tunnel setting or file is unusable (missing certificate, bad PEM, key not matching).
/// The message is one line that names the file and says what is wrong.</summary>
public sealed class TunnelConfigException : Exception
{
    public TunnelConfigException(string message, Exception? inner = null) : base(message, inner) { }
}
