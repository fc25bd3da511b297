namespace PppoeProxy.Engine.Tunnel.Limits;

/// <summary>Why <see cref="ConnectionLimiter"/> admitted or refused a connection; also the cause of its rate-limited log line.</summary>
public enum AdmissionVerdict
{
    Admitted,
    /// <summary>This source already has its share of handshakes under way.</summary>
    HandshakesPerSource,
    /// <summary>Past START of the handshake limit, refused at random (or at FULL, always).</summary>
    HandshakesEarlyDrop,
    /// <summary>The server carries its total number of tunnels.</summary>
    TunnelsTotal,
    /// <summary>This source already has its share of tunnels.</summary>
    TunnelsPerSource,
}
