namespace PppoeProxy.Engine.Tunnel;

/// <summary>What <see cref="MacOwnership.Claim"/> decided about a tunnel sending from a MAC.</summary>
public enum ClaimResult
{
    /// <summary>The tunnel already owns the MAC (the hot path).</summary>
    Owned,
    /// <summary>Nobody owned it (or only a tunnel still in discovery with it): now this tunnel does.</summary>
    Claimed,
    /// <summary>The MAC's sessions were held after a tunnel dropped; this tunnel resumed them.</summary>
    Adopted,
    /// <summary>Another live tunnel with the same certificate owned it (the same client reconnected first): moved here.</summary>
    TakenOver,
    /// <summary>Another live tunnel owns it with a session: refused, counted on the claimer.</summary>
    SpoofedSource,
    /// <summary>Held for a tunnel with another certificate: refused.</summary>
    HeldForOtherPeer,
    /// <summary>Not a MAC a client can have: multicast/broadcast, all zero, the server's own or an AC's. Refused.</summary>
    ForbiddenSource,
    /// <summary>The tunnel already speaks for <see cref="MacOwnership.MaxMacsPerTunnel"/> MACs: refused.</summary>
    MacLimit,
}
