namespace PppoeProxy.Engine.Tunnel;

/// <summary>The connection could not be set up; the message is one line for the log.</summary>
/// <param name="cause">The kind of refusal, for the server's rate-limited log (one line per cause per second).</param>
public sealed class TunnelHandshakeException(string message, Exception? inner = null, string cause = "refused-handshake") : Exception(message, inner)
{
    public string Cause { get; } = cause;
    /// <summary>The server refused a hello that had flags as Malformed: it predates them; dial again without.</summary>
    public bool RejectedFlags { get; init; }
}
