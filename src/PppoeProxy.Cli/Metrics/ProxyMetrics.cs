using Prometheus;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;

namespace PppoeProxy.Cli.Metrics;

/// <summary>
/// The proxy's counters as Prometheus metrics, read from <see cref="IProxyEnd.Status"/> when a scrape
/// comes (nothing on the frame path). Per-tunnel series are the <see cref="TopTunnels"/> busiest
/// tunnels plus one "other", so a tunnel flood cannot explode the label set.
/// </summary>
public sealed class ProxyMetrics
{
    public const int TopTunnels = 10;
    public const string OtherTunnels = "other";

    private readonly Func<ProxyStatus?> _status;
    private readonly Gauge _info, _tunnels, _sessions, _heldClients, _tunnelFrames, _tunnelBytes;
    private readonly Counter _frames, _bytes, _drops, _captureOverflow, _refusals, _mssClamp;
    private readonly HashSet<string> _tunnelLabels = new(StringComparer.Ordinal);
    private string[]? _infoLabels;

    public ProxyMetrics(Func<ProxyStatus?> status, CollectorRegistry registry)
    {
        _status = status;
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        // Unlabelled series appear with the first status read: a 0 before the start would be a claim, not a value.
        _info = factory.CreateGauge("pppoeproxy_info", "The running end: always 1, its settings as labels", "role", "interface", "endpoint", "security", "mac_mode");
        _tunnels = factory.CreateGauge("pppoeproxy_tunnels", "Tunnels connected now", new GaugeConfiguration { SuppressInitialValue = true });
        _sessions = factory.CreateGauge("pppoeproxy_sessions", "PPPoE sessions the tracker knows, by state", "state");
        _heldClients = factory.CreateGauge("pppoeproxy_held_clients", "Client MACs whose sessions are held for a dropped tunnel", new GaugeConfiguration { SuppressInitialValue = true });
        _frames = factory.CreateCounter("pppoeproxy_frames_total", "Frames carried, by direction (to_tunnel: from the LAN into the tunnel)", "direction");
        _bytes = factory.CreateCounter("pppoeproxy_bytes_total", "Bytes carried, by direction", "direction");
        _drops = factory.CreateCounter("pppoeproxy_drops_total", "Frames not forwarded, by reason", "reason");
        _refusals = factory.CreateCounter("pppoeproxy_refused_connections_total", "Connections the server refused, by cause (limits, allow-list, failed handshakes)", "cause");
        _captureOverflow = factory.CreateCounter("pppoeproxy_capture_overflow_total", "Frames the kernel dropped because the capture ring was full",
            new CounterConfiguration { SuppressInitialValue = true });
        _mssClamp = factory.CreateCounter("pppoeproxy_mss_clamp_total",
            "--clamp-mss: TCP SYNs clamped, left alone (already_small, no_mss_option), and IP packets not checked (unchecked)", "result");
        _tunnelFrames = factory.CreateGauge("pppoeproxy_tunnel_frames", $"Frames per connected tunnel ({TopTunnels} busiest, the rest as tunnel=\"{OtherTunnels}\")", "tunnel", "direction");
        _tunnelBytes = factory.CreateGauge("pppoeproxy_tunnel_bytes", $"Bytes per connected tunnel ({TopTunnels} busiest, the rest as tunnel=\"{OtherTunnels}\")", "tunnel", "direction");
        registry.AddBeforeCollectCallback(Update);
    }

    /// <summary>Copies one status snapshot into the metrics; runs on the scrape's thread.</summary>
    public void Update()
    {
        // Two scrapes at once would race on the per-tunnel label set; scrapes are rare, so a lock costs nothing.
        lock (_tunnelLabels) UpdateLocked();
    }

    private void UpdateLocked()
    {
        if (_status() is not { } status) return; // not started yet: nothing to show
        var info = new[] { status.Role, status.Interface, status.Endpoint, status.Security, status.MacMode };
        if (_infoLabels is not null && !_infoLabels.SequenceEqual(info)) _info.RemoveLabelled(_infoLabels); // a port 0 listen is known after start
        _infoLabels = info;
        _info.WithLabels(info).Set(1);

        _tunnels.Set(status.Peers.Count(p => p.Connected));
        _tunnels.Publish();
        foreach (var state in Enum.GetValues<SessionState>())
            _sessions.WithLabels(state.ToString()).Set(status.Sessions.Count(s => s.State == state));
        _heldClients.Set(status.HeldClientMacs.Count);
        _heldClients.Publish();

        var counters = status.Counters;
        _frames.WithLabels("to_tunnel").IncTo(counters.FramesToTunnel);
        _frames.WithLabels("from_tunnel").IncTo(counters.FramesFromTunnel);
        _bytes.WithLabels("to_tunnel").IncTo(counters.BytesToTunnel);
        _bytes.WithLabels("from_tunnel").IncTo(counters.BytesFromTunnel);
        // Every reason from the start, at 0, so a rate() over a reason that appears later is right.
        foreach (var reason in Enum.GetNames<DropReason>().Concat(counters.Drops.Keys).Distinct())
            _drops.WithLabels(reason).IncTo(counters.Drops.GetValueOrDefault(reason));
        foreach (var (cause, count) in status.Refusals) _refusals.WithLabels(cause).IncTo(count);
        _captureOverflow.IncTo(counters.Drops.GetValueOrDefault(nameof(DropReason.CaptureOverflow)));
        _captureOverflow.Publish(); // IncTo(0) changes nothing, so does not publish by itself
        var mss = status.MssClamp;
        _mssClamp.WithLabels("clamped").IncTo(mss.Clamped);
        _mssClamp.WithLabels("already_small").IncTo(mss.AlreadySmall);
        _mssClamp.WithLabels("no_mss_option").IncTo(mss.NoMssOption);
        _mssClamp.WithLabels("unchecked").IncTo(mss.Unchecked);

        UpdateTunnels(status.Peers.Where(p => p.Connected).ToList());
    }

    private void UpdateTunnels(List<PeerStatus> connected)
    {
        var ranked = connected.OrderByDescending(p => p.Counters.FramesToTunnel + p.Counters.FramesFromTunnel).ThenBy(p => p.Id).ToList();
        var labels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var peer in ranked.Take(TopTunnels))
        {
            // Two tunnels from one NAT address can share a name: the id keeps their series apart.
            var label = $"{peer.Name}#{peer.Id}";
            labels.Add(label);
            SetTunnel(label, peer.Counters.FramesToTunnel, peer.Counters.FramesFromTunnel, peer.Counters.BytesToTunnel, peer.Counters.BytesFromTunnel);
        }
        if (ranked.Count > TopTunnels)
        {
            var rest = ranked.Skip(TopTunnels).Select(p => p.Counters).ToList();
            labels.Add(OtherTunnels);
            SetTunnel(OtherTunnels, rest.Sum(c => c.FramesToTunnel), rest.Sum(c => c.FramesFromTunnel), rest.Sum(c => c.BytesToTunnel), rest.Sum(c => c.BytesFromTunnel));
        }
        foreach (var gone in _tunnelLabels.Except(labels).ToList())
        {
            foreach (var direction in new[] { "to_tunnel", "from_tunnel" })
            {
                _tunnelFrames.RemoveLabelled(gone, direction);
                _tunnelBytes.RemoveLabelled(gone, direction);
            }
        }
        _tunnelLabels.Clear();
        _tunnelLabels.UnionWith(labels);
    }

    private void SetTunnel(string label, long framesTo, long framesFrom, long bytesTo, long bytesFrom)
    {
        _tunnelFrames.WithLabels(label, "to_tunnel").Set(framesTo);
        _tunnelFrames.WithLabels(label, "from_tunnel").Set(framesFrom);
        _tunnelBytes.WithLabels(label, "to_tunnel").Set(bytesTo);
        _tunnelBytes.WithLabels(label, "from_tunnel").Set(bytesFrom);
    }
}
