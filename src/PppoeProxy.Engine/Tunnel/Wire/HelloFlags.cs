namespace PppoeProxy.Engine.Tunnel.Wire;

/// <summary>
/// Bits of the client hello's flags byte. A server rejects a hello with bits it does not know
/// (Malformed), which is how a new client learns it talks to an older server: it dials again
/// without them. Servers before session claims knew no bit at all.
/// </summary>
public static class HelloFlags
{
    /// <summary>The client sends Claims records (its client MACs and live sessions) after the accept.</summary>
    public const byte SendsClaims = 0x01;

    /// <summary>Every bit this build understands.</summary>
    public const byte Known = SendsClaims;
}
