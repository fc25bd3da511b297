using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>The router's ownership decisions: which tunnel may speak for a MAC, and what a reconnected client's claims restore.</summary>
public sealed partial class ServerRouter
{
    // Counts and logs a claim that was not simply "already owned"; false when refused. The tunnel counted is
    // always the claimer, never the owner. The rate limiter's gate comes first, so a flood formats nothing.
    private bool Accepted(TunnelLink link, MacAddress mac, ClaimResult claim, TunnelLink? holder, string what)
    {
        switch (claim)
        {
            case ClaimResult.ForbiddenSource:
                link.Counters.Drop(DropReason.ForbiddenSource);
                if (_limitedLog.Due("mac-forbidden", LogLevel.Warning))
                    _limitedLog.WriteDue(LogLevel.Warning, "mac-forbidden", "refused {What} from {Mac} through tunnel {Peer}: not a client MAC (multicast, zero, this server's or an AC's)",
                        what, mac, link.PeerName);
                return false;
            case ClaimResult.SpoofedSource:
                link.Counters.Drop(DropReason.SpoofedSource);
                if (_limitedLog.Due("mac-conflict", LogLevel.Warning))
                    _limitedLog.WriteDue(LogLevel.Warning, "mac-conflict", "refused {What} from {Mac} through tunnel {Peer}: {Mac} belongs to tunnel {Owner}",
                        what, mac, link.PeerName, mac, holder?.PeerName);
                return false;
            case ClaimResult.HeldForOtherPeer:
                link.Counters.Drop(DropReason.HeldForOtherPeer);
                if (_limitedLog.Due("mac-held", LogLevel.Warning))
                    _limitedLog.WriteDue(LogLevel.Warning, "mac-held", "refused {What} from {Mac} through tunnel {Peer}: its sessions are held for another certificate",
                        what, mac, link.PeerName);
                return false;
            case ClaimResult.MacLimit:
                link.Counters.Drop(DropReason.SessionLimit);
                if (_limitedLog.Due("mac-limit", LogLevel.Warning))
                    _limitedLog.WriteDue(LogLevel.Warning, "mac-limit", "refused {What} from {Mac} through tunnel {Peer}: it already speaks for {Max} client MACs",
                        what, mac, link.PeerName, MacOwnership.MaxMacsPerTunnel);
                return false;
            case ClaimResult.Adopted:
                if (_limitedLog.Due("mac-adopted", LogLevel.Information))
                    _limitedLog.WriteDue(LogLevel.Information, "mac-adopted", "tunnel {Peer} resumed the held sessions of {Mac}", link.PeerName, mac);
                return true;
            case ClaimResult.TakenOver:
                if (_limitedLog.Due("mac-taken-over", LogLevel.Information))
                    _limitedLog.WriteDue(LogLevel.Information, "mac-taken-over", "tunnel {Peer} took {Mac} over from tunnel {Owner} (same certificate)", link.PeerName, mac, holder?.PeerName);
                return true;
            case ClaimResult.Claimed when holder is not null:
                if (_limitedLog.Due("mac-moved", LogLevel.Information))
                    _limitedLog.WriteDue(LogLevel.Information, "mac-moved", "tunnel {Peer} took {Mac}, which had no session yet, from tunnel {Owner}", link.PeerName, mac, holder.PeerName);
                return true;
            default:
                return true;
        }
    }

    /// <summary>
    /// A Claims record from a reconnected client: each MAC goes through the ownership rules (as a
    /// discovery frame would); each live session of an accepted MAC is tracked with certain roles,
    /// its MAC's ownership becomes firm, and the AC's frames are routed to the tunnel at once.
    /// Refused entries are counted on the tunnel. A claimed session this server already ended (its hold
    /// expired and it sent the AC a PADT) is not brought back: <paramref name="endedHere"/> gets it, so
    /// the caller can tell the client's LAN. Returns (MACs accepted, sessions adopted, refused).
    /// </summary>
    public (int Macs, int Sessions, int Refused) ApplyClaims(TunnelLink link, ReadOnlySpan<byte> payload, DateTimeOffset time,
        Action<SessionClaim>? endedHere = null)
    {
        int macs = 0, sessions = 0, refused = 0;
        int count = payload.Length / WireCodec.ClaimEntrySize;
        int used = _claimsByLink.AddOrUpdate(link.Id, count, (_, before) => before + count);
        for (int i = 0; i < count; i++)
        {
            if (used - count + i >= MaxClaimsPerTunnel || !WireCodec.TryReadClaim(payload, i, out var entry))
            {
                link.Counters.Drop(DropReason.Malformed);
                refused++;
                continue;
            }
            if (entry.HasSession && !IsAcCandidate(entry.Ac, entry.Client))
            {
                link.Counters.Drop(DropReason.ForbiddenSource);
                refused++;
                continue;
            }
            var claim = Owners.Claim(link, entry.Client, discovery: true, out var holder);
            if (claim != ClaimResult.Owned && !Accepted(link, entry.Client, claim, holder, "a claim")) { refused++; continue; }
            macs++;
            if (!entry.HasSession) continue;
            if (Mode == MacMode.Rewrite)
            {
                // The AC knows the session by our MAC: route it back to this client unless another owns it.
                var key = (entry.Ac.Value, entry.SessionId);
                if (_relayedSessions.GetOrAdd(key, entry.Client.Value) != entry.Client.Value)
                {
                    link.Counters.Drop(DropReason.SpoofedSource);
                    refused++;
                    continue;
                }
            }
            if (!Tracker.Adopt(entry.Client, entry.Ac, entry.SessionId, entry.VlanTags, time, InterfaceName,
                    $"claimed by tunnel {link.PeerName} on reconnect", link.Id, MaxSessionsPerTunnel)
                && !Tracker.IsLive(entry.Client, entry.Ac, entry.SessionId, entry.VlanTags))
            {
                // Known but ended here: the LAN is told. Unknown: no room (the tunnel's share or the table is full);
                // the AC's frames still reach the client by its MAC, so nothing is ended, only not tracked.
                if (Tracker.Knows(entry.Client, entry.Ac, entry.SessionId, entry.VlanTags)) endedHere?.Invoke(entry);
                else link.Counters.Drop(DropReason.SessionLimit);
                refused++;
                continue;
            }
            Owners.MarkSession(entry.Client);
            sessions++;
        }
        return (macs, sessions, refused);
    }

    /// <summary>
    /// Forgets client MACs that never got a session once the tracker has let their discovery go, so a
    /// long-lived tunnel's share of <see cref="MacOwnership.MaxMacsPerTunnel"/> is not used up by old
    /// attempts. Every few seconds from the server's loop.
    /// </summary>
    public int ForgetUnusedMacs()
    {
        var known = Tracker.ClientMacs();
        return Owners.ForgetUnused(known.Contains, SessionTracker.DiscoveryTimeout);
    }

    // An AC a claimed session may name: a unicast, non-zero MAC that is no client's and not ours.
    private bool IsAcCandidate(MacAddress ac, MacAddress client) =>
        !ac.IsGroup && ac.Value != 0 && ac != client && ac != InterfaceMac && Owners.LinkFor(ac, out bool held) is null && !held;

}
