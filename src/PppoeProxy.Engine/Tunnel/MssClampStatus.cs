namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// What MSS clamping did at one end: the setting ("off", "auto" or the MSS), SYNs clamped, SYNs left as
/// they were (MSS already small enough, or no MSS option, which we never add), and IP packets not checked
/// (fragments, bad lengths, IPv6 extension headers we do not walk, malformed TCP options).
/// </summary>
public sealed record MssClampStatus(string Setting, long Clamped, long AlreadySmall, long NoMssOption, long Unchecked)
{
    public static MssClampStatus Off { get; } = new("off", 0, 0, 0, 0);

    public override string ToString() =>
        $"mss clamp {Setting}: {Clamped} SYN(s) clamped, {AlreadySmall} already small enough, {NoMssOption} without MSS option, {Unchecked} IP packet(s) not checked";
}
