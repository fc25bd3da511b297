namespace PppoeProxy.Engine.Tunnel.Wire;

/// <summary>Record types of wire protocol v1 (one byte on the wire; values 5-255 are free for later versions).</summary>
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
}

/// <summary>Outcome of parsing one record from the front of a buffer.</summary>
public enum RecordStatus
{
    /// <summary>A whole record was parsed; <c>consumed</c> bytes can be dropped.</summary>
    Ok,
    /// <summary>The buffer holds only part of a record; read more and retry with the same bytes in front.</summary>
    NeedMoreData,
    /// <summary>The header announces a payload larger than the protocol allows. Fatal: close the connection.</summary>
    Oversized,
    /// <summary>
    /// A well-formed record of a type this build does not know. <c>consumed</c> covers it, so a
    /// tolerant caller may skip it; a strict one closes.
    /// </summary>
    UnknownType,
    /// <summary>The bytes break a rule of the format (reserved bits set, bad length for the type...). Fatal.</summary>
    Malformed,
}

/// <summary>Why a peer says goodbye (first payload byte of a Goodbye record).</summary>
public enum GoodbyeReason : byte
{
    Unspecified = 0,
    /// <summary>The peer is stopping (service shutdown, user request).</summary>
    Shutdown = 1,
    /// <summary>The peer is restarting and will reconnect / accept again soon.</summary>
    Restart = 2,
    /// <summary>No Pong or traffic for too long.</summary>
    IdleTimeout = 3,
    /// <summary>The peer received bytes it could not parse.</summary>
    ProtocolError = 4,
    /// <summary>An administrator disconnected this peer (e.g. removed from the trust list).</summary>
    Kicked = 5,
    /// <summary>Another connection with the same identity replaced this one.</summary>
    Replaced = 6,
}

/// <summary>Status byte of the server's handshake reply: 0 accepts, anything else rejects.</summary>
public enum HandshakeStatus : byte
{
    Accepted = 0,
    /// <summary>The server does not speak the client's version; the reply carries the server's version.</summary>
    UnsupportedVersion = 1,
    /// <summary>The hello did not start with the magic (wrong protocol, e.g. a legacy client).</summary>
    BadMagic = 2,
    /// <summary>The hello broke a rule of the format (bad lengths, invalid UTF-8).</summary>
    Malformed = 3,
    /// <summary>Policy refused this client (address or identity not allowed).</summary>
    NotAllowed = 4,
    /// <summary>The server is at its connection limit or shutting down; try later.</summary>
    Busy = 5,
}
