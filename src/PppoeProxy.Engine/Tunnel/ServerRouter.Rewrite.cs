using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>Rewrite mode's side of the router: the Relay-Session-Id tag that tells which client an AC frame is for.</summary>
public sealed partial class ServerRouter
{
    /// <summary>Relay-Session-Id value prefix marking tags we added (then the client MAC).</summary>
    private static ReadOnlySpan<byte> RelayMarker => "PX"u8;
    private const int RelayTagLength = 8;

    private int _warnedNoRelayTag;
    private long _lastAlreadyRelayedWarning;

    /// <summary>Rewrite mode: the AC's session id no longer maps to a client (we sent its PADT).</summary>
    public void ForgetRelayed(MacAddress ac, ushort sessionId) => _relayedSessions.TryRemove((ac.Value, sessionId), out _);

    // Rewrite mode, AC → client: find the client the frame is really for and put its MAC back.
    // False when dropped (counted); otherwise restored is the view of the edited copy in scratch.
    private bool TryRestoreClient(FrameView frame, Span<byte> scratch, out FrameView restored)
    {
        restored = default;
        int length = RestoreClient(frame, scratch, out var client);
        if (length < 0) return false;
        // The edit wrote the new PPPoE length: the payload changed by exactly that much.
        int payloadDelta = BinaryPrimitives.ReadUInt16BigEndian(scratch[(frame.PppoeOffset + 4)..]) - frame.LengthField;
        restored = frame.Rewritten(scratch[..length], client, payloadDelta);
        return true;
    }

    private int RestoreClient(in FrameView frame, Span<byte> scratch, out MacAddress client)
    {
        client = default;
        if (frame.Destination != InterfaceMac) { Drop(DropReason.UnknownDestination); return -1; }
        int length;
        if (frame.IsDiscovery)
        {
            if (TagEnumerator.TryFind(frame.Payload, (ushort)PppoeTagType.RelaySessionId, out var relay)
                && relay.Length == RelayTagLength && relay.StartsWith(RelayMarker))
            {
                client = MacAddress.Read(relay[2..]);
                length = FrameEditing.RemoveTag(frame, scratch, (ushort)PppoeTagType.RelaySessionId, relay);
                // Before any mapping is stored: a frame that cannot be edited is dropped, and counted.
                if (length < 0) { Drop(DropReason.Malformed); return -1; }
            }
            else if (_relayedSessions.TryGetValue((frame.Source.Value, frame.SessionId), out var known) && frame.SessionId != 0)
            {
                client = new MacAddress(known);
                length = frame.Bytes.Length;
                frame.Bytes.CopyTo(scratch);
            }
            else
            {
                if (Interlocked.Exchange(ref _warnedNoRelayTag, 1) == 0)
                    _log.LogWarning("AC {Ac} answered without our Relay-Session-Id tag: rewrite mode cannot route its {Code}; use --mac-mode transparent",
                        frame.Source, PppoeCodes.Name(frame.Code, true));
                Drop(DropReason.NotRelayed);
                return -1;
            }
            if (frame.Code == (byte)PppoeCode.PADS && frame.SessionId != 0)
                _relayedSessions[(frame.Source.Value, frame.SessionId)] = client.Value;
            else if (frame.Code == (byte)PppoeCode.PADT)
                _relayedSessions.TryRemove((frame.Source.Value, frame.SessionId), out _);
        }
        else
        {
            if (!_relayedSessions.TryGetValue((frame.Source.Value, frame.SessionId), out var known))
            {
                Drop(DropReason.NotRelayed);
                return -1;
            }
            client = new MacAddress(known);
            length = frame.Bytes.Length;
            frame.Bytes.CopyTo(scratch);
        }
        FrameEditing.SetDestination(scratch, client);
        return length;
    }

    // One line a minute at most: a client repeating the PADI must not flood the log.
    private void WarnAlreadyRelayed(TunnelLink link, in FrameView frame)
    {
        long now = Environment.TickCount64, last = Volatile.Read(ref _lastAlreadyRelayedWarning);
        if (last != 0 && now - last < 60_000) return;
        if (Interlocked.CompareExchange(ref _lastAlreadyRelayedWarning, now, last) != last) return;
        _log.LogWarning("dropped a {Code} from {Client} through {Peer}: it already carries a Relay-Session-Id (relayed twice?)",
            PppoeCodes.Name(frame.Code, true), frame.Source, link.PeerName);
    }
}
