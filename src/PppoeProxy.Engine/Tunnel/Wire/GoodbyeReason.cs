namespace PppoeProxy.Engine.Tunnel.Wire;

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
