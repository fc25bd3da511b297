using System.Net;
using System.Net.Sockets;

namespace PppoeProxy.Engine.Tunnel.Limits;

/// <summary>
/// Counts handshakes under way and established tunnels, in total and per source, and decides who
/// may add one. A source is an IPv4 address, or an IPv6 /64 (one home line gets a whole /64, so
/// per-address would be no limit at all). Entries go when a source has nothing left: the table is
/// bounded by what the limits admit. Locked, but only per connection, never per frame.
/// </summary>
public sealed class ConnectionLimiter
{
    private readonly object _gate = new();
    private readonly Dictionary<SourceKey, Usage> _bySource = new();
    private readonly Func<double> _roll;
    private int _handshakes, _tunnels;

    private sealed class Usage
    {
        public int Handshakes;
        public int Tunnels;
    }

    public ConnectionLimiter(HandshakeLimit handshakes, int handshakesPerSource, int tunnels, int tunnelsPerSource, Func<double>? roll = null)
    {
        Handshakes = handshakes;
        HandshakesPerSource = handshakesPerSource;
        Tunnels = tunnels;
        TunnelsPerSource = tunnelsPerSource;
        _roll = roll ?? Random.Shared.NextDouble;
    }

    public HandshakeLimit Handshakes { get; }
    public int HandshakesPerSource { get; }
    public int Tunnels { get; }
    public int TunnelsPerSource { get; }

    public int PendingHandshakes { get { lock (_gate) return _handshakes; } }
    public int EstablishedTunnels { get { lock (_gate) return _tunnels; } }
    /// <summary>Sources with a handshake or tunnel (for tests: the table must not grow).</summary>
    public int TrackedSources { get { lock (_gate) return _bySource.Count; } }

    /// <summary>Takes a handshake slot, or says why not. Every Admitted needs one <see cref="EndHandshake"/>.</summary>
    public AdmissionVerdict TryBeginHandshake(IPAddress source)
    {
        var key = SourceKey.Of(source);
        lock (_gate)
        {
            var usage = UsageOf(key);
            if (usage.Handshakes >= HandshakesPerSource) return Forget(key, usage, AdmissionVerdict.HandshakesPerSource);
            if (Handshakes.Refuses(_handshakes, _roll())) return Forget(key, usage, AdmissionVerdict.HandshakesEarlyDrop);
            usage.Handshakes++;
            _handshakes++;
            return AdmissionVerdict.Admitted;
        }
    }

    public void EndHandshake(IPAddress source)
    {
        var key = SourceKey.Of(source);
        lock (_gate)
        {
            if (!_bySource.TryGetValue(key, out var usage) || usage.Handshakes == 0) return;
            usage.Handshakes--;
            _handshakes--;
            Forget(key, usage, AdmissionVerdict.Admitted);
        }
    }

    /// <summary>Takes a tunnel slot, or says why not. Every Admitted needs one <see cref="RemoveTunnel"/>.</summary>
    public AdmissionVerdict TryAddTunnel(IPAddress source)
    {
        var key = SourceKey.Of(source);
        lock (_gate)
        {
            var usage = UsageOf(key);
            if (_tunnels >= Tunnels) return Forget(key, usage, AdmissionVerdict.TunnelsTotal);
            if (usage.Tunnels >= TunnelsPerSource) return Forget(key, usage, AdmissionVerdict.TunnelsPerSource);
            usage.Tunnels++;
            _tunnels++;
            return AdmissionVerdict.Admitted;
        }
    }

    public void RemoveTunnel(IPAddress source)
    {
        var key = SourceKey.Of(source);
        lock (_gate)
        {
            if (!_bySource.TryGetValue(key, out var usage) || usage.Tunnels == 0) return;
            usage.Tunnels--;
            _tunnels--;
            Forget(key, usage, AdmissionVerdict.Admitted);
        }
    }

    /// <summary>The one-line reason a refused peer gets in the log and (v1) in its Busy reply.</summary>
    public string Describe(AdmissionVerdict verdict) => verdict switch
    {
        AdmissionVerdict.HandshakesPerSource => $"{HandshakesPerSource} handshake(s) from this source already in progress (--max-handshakes-per-source)",
        AdmissionVerdict.HandshakesEarlyDrop => $"too many handshakes in progress (--max-handshakes {Handshakes})",
        AdmissionVerdict.TunnelsTotal => $"{Tunnels} tunnel(s) already connected (--max-tunnels)",
        AdmissionVerdict.TunnelsPerSource => $"{TunnelsPerSource} tunnel(s) from this source already connected (--max-tunnels-per-source)",
        _ => "admitted",
    };

    private Usage UsageOf(SourceKey key)
    {
        if (!_bySource.TryGetValue(key, out var usage)) _bySource[key] = usage = new Usage();
        return usage;
    }

    private AdmissionVerdict Forget(SourceKey key, Usage usage, AdmissionVerdict verdict)
    {
        if (usage.Handshakes == 0 && usage.Tunnels == 0) _bySource.Remove(key);
        return verdict;
    }

    private readonly record struct SourceKey(ulong High, ulong Low)
    {
        public static SourceKey Of(IPAddress address)
        {
            if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out int written);
            if (address.AddressFamily == AddressFamily.InterNetwork)
                return new SourceKey(0, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes));
            // The /64: the low half is the host's to choose.
            return new SourceKey(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes), ulong.MaxValue);
        }
    }
}
