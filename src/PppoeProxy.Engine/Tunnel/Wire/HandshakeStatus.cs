namespace PppoeProxy.Engine.Tunnel.Wire;

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
