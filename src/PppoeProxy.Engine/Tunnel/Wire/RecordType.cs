namespace PppoeProxy.Engine.Tunnel.Wire;

/// <summary>Record types of wire protocol v1 (one byte on the wire; values 6-255 are free for later versions).</summary>
public enum RecordType : byte
{
    /// <summary>Payload is one whole Ethernet frame (destination MAC first, no FCS).</summary>
    Frame = 1,
    /// <summary>Payload is an 8-byte opaque token the peer echoes in a <see cref="Pong"/>.</summary>
    Ping = 2,
    /// <summary>Payload is the 8-byte token of the <see cref="Ping"/> being answered.</summary>
    Pong = 3,
    /// <summary>Payload is a <see cref="GoodbyeReason"/> byte then optional UTF-8 text; the sender closes after it.</summary>
    Goodbye = 4,
    /// <summary>
    /// Client to server, only after a hello with <see cref="HelloFlags.SendsClaims"/>: 24-byte
    /// <see cref="SessionClaim"/> entries, the client MACs and live sessions the client carries.
    /// </summary>
    Claims = 5,
}
