namespace PppoeProxy.Engine.Tunnel;

public sealed record TunnelCountersSnapshot(long FramesToTunnel, long BytesToTunnel, long FramesFromTunnel, long BytesFromTunnel,
    IReadOnlyDictionary<string, long> Drops)
{
    /// <summary>Frame, byte and drop counts added up, drops by reason.</summary>
    public static TunnelCountersSnapshot Sum(IEnumerable<TunnelCountersSnapshot> parts)
    {
        long framesTo = 0, bytesTo = 0, framesFrom = 0, bytesFrom = 0;
        var drops = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            framesTo += part.FramesToTunnel; bytesTo += part.BytesToTunnel;
            framesFrom += part.FramesFromTunnel; bytesFrom += part.BytesFromTunnel;
            foreach (var (reason, count) in part.Drops) drops[reason] = drops.GetValueOrDefault(reason) + count;
        }
        // In the enum's order, as a single counter lists them.
        return new(framesTo, bytesTo, framesFrom, bytesFrom,
            Enum.GetNames<DropReason>().Where(drops.ContainsKey).ToDictionary(name => name, name => drops[name]));
    }

    [System.Text.Json.Serialization.JsonIgnore] public string DropsText => Drops.Count == 0 ? "0" : string.Join(" ", Drops.Select(d => $"{d.Key}={d.Value}"));

    public override string ToString() =>
        $"to-tunnel {FramesToTunnel} frames/{BytesToTunnel} B, from-tunnel {FramesFromTunnel} frames/{BytesFromTunnel} B, drops {DropsText}";
}
