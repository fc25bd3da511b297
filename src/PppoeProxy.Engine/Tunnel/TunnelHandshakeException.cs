namespace PppoeProxy.Engine.Tunnel;

/// <summary>The connection could not be set up; the message is one line for the log.</summary>
public sealed class TunnelHandshakeException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The server refused a hello that had flags as Malformed: it predates them; dial again without.</summary>
    public bool RejectedFlags { get; init; }
}
