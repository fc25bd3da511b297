using System.Collections.Concurrent;
using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// Which tunnel owns which client MAC, learned from the frames each tunnel sends (and the claims a
/// reconnecting client makes). The rules:
/// <list type="bullet">
/// <item>Only MACs a client can have are claimable: unicast, not all zero, not the server's own
/// interface, not an AC's (a source of PADO/PADS/PADT heard on the AC side).</item>
/// <item>A MAC is owned for good once a session of it was set up through its tunnel (or recovered):
/// no other tunnel takes it over, except one with the same certificate (the same client, reconnected
/// before the server noticed the old tunnel was dead). Until then it is only "in discovery": a
/// PADI/PADR from another tunnel moves it, so a tunnel that sends one frame from a victim's MAC
/// first cannot keep the victim from dialling (issue 12, defect 8).</item>
/// <item>A dropped tunnel's MACs that still have sessions are held for the grace period; the next
/// tunnel with the same certificate (any tunnel, in plain-text mode, where nothing proves
/// identity) adopts them.</item>
/// </list>
/// </summary>
public sealed class MacOwnership
{
    /// <summary>A line has a handful of ACs; more distinct PADO sources than this are not remembered.</summary>
    public const int MaxAcMacs = 256;

    /// <summary>
    /// A remote site has a few PPPoE clients; a tunnel speaking for more MACs than this (PADIs from
    /// random sources, say) is refused the rest, so it cannot grow this table without bound. MACs
    /// that never got a session are forgotten once the tracker no longer knows them (see <see cref="ForgetUnused"/>).
    /// </summary>
    public const int MaxMacsPerTunnel = 256;

    private readonly ConcurrentDictionary<ulong, Owner> _owners = new();
    private readonly ConcurrentDictionary<ulong, byte> _acMacs = new();
    private readonly ConcurrentDictionary<ulong, byte> _acSideClients = new();
    private readonly MacAddress _serverMac;

    /// <param name="serverMac">The server's own interface MAC, never a client's.</param>
    public MacOwnership(MacAddress serverMac = default) => _serverMac = serverMac;

    public sealed class Owner
    {
        internal volatile TunnelLink? Link;
        internal string? Identity;
        internal long HeldUntilTicks;
        internal volatile bool HasSession;
        internal long ClaimedAtTicks = Environment.TickCount64;
        public TunnelLink? CurrentLink => Link;
        public bool IsHeld => Link is null;
        /// <summary>A session was set up or recovered through the owning tunnel: no longer only in discovery.</summary>
        public bool IsFirm => HasSession;
    }

    public int Count => _owners.Count;

    /// <summary>True for a MAC no tunnel may send from (see the class rules).</summary>
    public bool IsForbidden(MacAddress mac) =>
        mac.IsGroup || mac.Value == 0 || (_serverMac.Value != 0 && mac == _serverMac) || _acMacs.ContainsKey(mac.Value)
        || _acSideClients.ContainsKey(mac.Value);

    /// <summary>True when <paramref name="mac"/> was heard offering or confirming sessions on the AC side.</summary>
    public bool IsAc(MacAddress mac) => _acMacs.ContainsKey(mac.Value);

    /// <summary>
    /// A PPPoE client on the AC side (the home router's own, say) spoke from <paramref name="client"/>:
    /// its sessions are not ours, so no tunnel may claim the MAC (and hold, then PADT, its sessions). A
    /// tunnel that had claimed it loses it, and is returned.
    /// </summary>
    public TunnelLink? MarkAcSideClient(MacAddress client)
    {
        if (client.IsGroup || client.Value == 0 || _acSideClients.ContainsKey(client.Value)) return null;
        if (_acSideClients.Count < MaxAcMacs) _acSideClients.TryAdd(client.Value, 0);
        return Revoke(client);
    }

    /// <summary>
    /// An AC spoke from <paramref name="ac"/> (heard on the AC side, so no tunnel can fake it). It can
    /// never be a client's MAC again; a tunnel that had claimed it loses it, and is returned.
    /// </summary>
    public TunnelLink? MarkAc(MacAddress ac)
    {
        if (ac.IsGroup || ac.Value == 0 || _acMacs.ContainsKey(ac.Value)) return null;
        if (_acMacs.Count < MaxAcMacs) _acMacs.TryAdd(ac.Value, 0);
        return Revoke(ac);
    }

    // A MAC that turned out to be no client's: forgotten, and the tunnel that had claimed it (if any) returned.
    private TunnelLink? Revoke(MacAddress mac)
    {
        if (!_owners.TryRemove(mac.Value, out var squatter)) return null;
        lock (squatter)
        {
            var had = squatter.Link;
            SetLink(squatter, null);
            return had;
        }
    }

    /// <summary>A session of <paramref name="client"/> was set up through its tunnel: its ownership is now firm.</summary>
    public void MarkSession(MacAddress client)
    {
        if (_owners.TryGetValue(client.Value, out var owner)) owner.HasSession = true;
    }

    /// <summary>
    /// The frame's source MAC against the sending tunnel. <paramref name="discovery"/>: the frame is a
    /// PADI or PADR (or a recovery claim), which may move a MAC still only in discovery.
    /// <paramref name="holder"/> is the other tunnel involved in a refusal or a move, for the log.
    /// Hot path: one lookup when already owned.
    /// </summary>
    public ClaimResult Claim(TunnelLink link, MacAddress source, bool discovery, out TunnelLink? holder)
    {
        holder = null;
        while (true)
        {
            _owners.TryGetValue(source.Value, out var owner);
            if (owner is not null && ReferenceEquals(owner.Link, link)) return ClaimResult.Owned;
            if (IsForbidden(source)) return ClaimResult.ForbiddenSource;
            if (owner is null)
            {
                if (Volatile.Read(ref link.OwnedMacs) >= MaxMacsPerTunnel) return ClaimResult.MacLimit;
                if (_owners.TryAdd(source.Value, new Owner { Link = link, Identity = link.PeerFingerprint }))
                {
                    Interlocked.Increment(ref link.OwnedMacs);
                    return ClaimResult.Claimed;
                }
                continue;
            }
            lock (owner)
            {
                // Forgotten (or replaced) while we waited for the lock: look again.
                if (!_owners.TryGetValue(source.Value, out var still) || !ReferenceEquals(still, owner)) continue;
                var current = owner.Link;
                if (ReferenceEquals(current, link)) return ClaimResult.Owned;
                if (current is { IsOpen: true })
                {
                    holder = current;
                    bool sameIdentity = link.PeerFingerprint is not null && owner.Identity == link.PeerFingerprint;
                    if (!sameIdentity && (owner.HasSession || !discovery)) return ClaimResult.SpoofedSource;
                    MoveTo(owner, link);
                    return sameIdentity ? ClaimResult.TakenOver : ClaimResult.Claimed;
                }
                // Held (or its tunnel just closed): a held MAC goes back only to the same certificate.
                if (owner.Identity is not null && owner.Identity != link.PeerFingerprint) return ClaimResult.HeldForOtherPeer;
                bool wasHeld = current is null;
                MoveTo(owner, link);
                return wasHeld ? ClaimResult.Adopted : ClaimResult.Claimed;
            }
        }
    }

    // Every change of an owner's link goes through here (under the owner's lock), so each tunnel's count stays right.
    private static void SetLink(Owner owner, TunnelLink? link)
    {
        if (owner.Link is { } old) Interlocked.Decrement(ref old.OwnedMacs);
        if (link is not null) Interlocked.Increment(ref link.OwnedMacs);
        owner.Link = link;
    }

    private static void MoveTo(Owner owner, TunnelLink link)
    {
        SetLink(owner, link);
        owner.ClaimedAtTicks = Environment.TickCount64;
        owner.Identity = link.PeerFingerprint;
        owner.HeldUntilTicks = 0;
    }

    /// <summary>
    /// A tunnel whose certificate held MACs were waiting for takes them back at once, so the AC's
    /// frames reach the client again even before the client sends anything. Plain-text tunnels
    /// prove nothing about identity and adopt only by sending from the MAC or claiming it (see <see cref="Claim"/>).
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
                SetLink(owner, link);
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
                    SetLink(owner, null);
                    owner.HeldUntilTicks = Environment.TickCount64 + (long)grace.TotalMilliseconds;
                    held.Add(address);
                }
                else if (_owners.TryRemove(mac, out _)) SetLink(owner, null);
            }
        }
        return held;
    }

    /// <summary>
    /// Forgets MACs that never got a session, were claimed at least <paramref name="minAge"/> ago and
    /// that <paramref name="known"/> says the tracker no longer holds (their discovery timed out).
    /// Off the hot path (the server's loop, every few seconds). Returns how many went.
    /// </summary>
    public int ForgetUnused(Func<ulong, bool> known, TimeSpan minAge)
    {
        int forgotten = 0;
        long oldest = Environment.TickCount64 - (long)minAge.TotalMilliseconds;
        foreach (var (mac, owner) in _owners)
        {
            if (owner.HasSession || owner.Link is null || Volatile.Read(ref owner.ClaimedAtTicks) > oldest || known(mac)) continue;
            lock (owner)
            {
                if (owner.HasSession || owner.Link is null || !_owners.TryRemove(new KeyValuePair<ulong, Owner>(mac, owner))) continue;
                SetLink(owner, null);
                forgotten++;
            }
        }
        return forgotten;
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
