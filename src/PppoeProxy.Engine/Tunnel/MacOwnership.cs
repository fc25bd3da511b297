using System.Collections.Concurrent;
using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// Which tunnel owns which client MAC, learned from the frames each tunnel sends. A dropped
/// tunnel's MACs that still have sessions are held for the grace period; the next tunnel with the
/// same certificate (any tunnel, in plain-text mode) that sends from such a MAC adopts it.
/// </summary>
public sealed class MacOwnership
{
    private readonly ConcurrentDictionary<ulong, Owner> _owners = new();

    public sealed class Owner
    {
        internal volatile TunnelLink? Link;
        internal string? Identity;
        internal long HeldUntilTicks;
        public TunnelLink? CurrentLink => Link;
        public bool IsHeld => Link is null;
    }

    public int Count => _owners.Count;

    /// <summary>The frame's source MAC against the sending tunnel. Hot path: one lookup when already owned.</summary>
    public ClaimResult Claim(TunnelLink link, MacAddress source)
    {
        while (true)
        {
            if (!_owners.TryGetValue(source.Value, out var owner))
            {
                if (_owners.TryAdd(source.Value, new Owner { Link = link, Identity = link.PeerFingerprint })) return ClaimResult.Claimed;
                continue;
            }
            var current = owner.Link;
            if (ReferenceEquals(current, link)) return ClaimResult.Owned;
            if (current is { IsOpen: true }) return ClaimResult.SpoofedSource;
            lock (owner)
            {
                if (owner.Link is { IsOpen: true } other && !ReferenceEquals(other, link)) return ClaimResult.SpoofedSource;
                // A held MAC goes back only to the same certificate; in plain text nothing proves identity.
                if (owner.Identity is not null && owner.Identity != link.PeerFingerprint) return ClaimResult.HeldForOtherPeer;
                bool wasHeld = owner.Link is null;
                owner.Link = link;
                owner.Identity = link.PeerFingerprint;
                owner.HeldUntilTicks = 0;
                return wasHeld ? ClaimResult.Adopted : ClaimResult.Claimed;
            }
        }
    }

    /// <summary>
    /// A tunnel whose certificate held MACs were waiting for takes them back at once, so the AC's
    /// frames reach the client again even before the client sends anything. Plain-text tunnels
    /// prove nothing about identity and adopt only by sending from the MAC (see <see cref="Claim"/>).
    /// </summary>
    public IReadOnlyList<MacAddress> AdoptByIdentity(TunnelLink link)
    {
        var adopted = new List<MacAddress>();
        if (link.PeerFingerprint is null) return adopted;
        foreach (var (mac, owner) in _owners)
        {
            lock (owner)
            {
                if (owner.Link is not null || owner.Identity != link.PeerFingerprint) continue;
                owner.Link = link;
                owner.HeldUntilTicks = 0;
                adopted.Add(new MacAddress(mac));
            }
        }
        return adopted;
    }

    /// <summary>The live tunnel for a destination MAC, or null (held, or nobody's).</summary>
    public TunnelLink? LinkFor(MacAddress destination, out bool held)
    {
        held = false;
        if (!_owners.TryGetValue(destination.Value, out var owner)) return null;
        var link = owner.Link;
        if (link is { IsOpen: true }) return link;
        held = true;
        return null;
    }

    /// <summary>A tunnel dropped: hold its MACs that have sessions, forget the others. Returns the held MACs.</summary>
    public IReadOnlyList<MacAddress> Release(TunnelLink link, Func<MacAddress, bool> hasSessions, TimeSpan grace)
    {
        var held = new List<MacAddress>();
        foreach (var (mac, owner) in _owners)
        {
            lock (owner)
            {
                if (!ReferenceEquals(owner.Link, link)) continue;
                var address = new MacAddress(mac);
                if (hasSessions(address))
                {
                    owner.Link = null;
                    owner.HeldUntilTicks = Environment.TickCount64 + (long)grace.TotalMilliseconds;
                    held.Add(address);
                }
                else _owners.TryRemove(mac, out _);
            }
        }
        return held;
    }

    /// <summary>Held MACs whose grace period is over; they are forgotten.</summary>
    public IReadOnlyList<MacAddress> TakeExpired()
    {
        var expired = new List<MacAddress>();
        long now = Environment.TickCount64;
        foreach (var (mac, owner) in _owners)
        {
            lock (owner)
            {
                if (owner.Link is not null || owner.HeldUntilTicks > now) continue;
                _owners.TryRemove(mac, out _);
                expired.Add(new MacAddress(mac));
            }
        }
        return expired;
    }

    public IReadOnlyList<(MacAddress Mac, Owner Owner)> Snapshot() =>
        _owners.Select(kv => (new MacAddress(kv.Key), kv.Value)).ToList();
}
