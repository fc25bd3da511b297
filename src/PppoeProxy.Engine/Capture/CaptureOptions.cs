namespace PppoeProxy.Engine.Capture;

/// <summary>How <see cref="LiveCapture.Open"/> sets up the libpcap handle. Immediate mode is always on.</summary>
public sealed record CaptureOptions
{
    /// <summary>
    /// PPPoE discovery (0x8863) and session (0x8864) frames, untagged or under one or two VLAN tags
    /// (802.1Q 0x8100 / 802.1ad 0x88a8 / pre-standard QinQ 0x9100, in any order: the codec's set).
    /// Written with explicit byte offsets instead of libpcap's <c>vlan</c> keyword on purpose: on Linux
    /// the kernel strips the outer tag on receive and the filter runs on the frame without it, while on
    /// transmit (direction Both) and in files the tag is in the data. libpcap 1.10's <c>vlan</c> code
    /// advances offsets by 4 even when the tag was stripped, so e.g. an offloaded-tag IPv4 frame whose
    /// IP length is 0x8864 would match. Offsets 12/16/20 cover both cases exactly: a frame whose outer
    /// tag the kernel removed simply looks like one with one tag fewer, which is also in the union.
    /// libpcap re-inserts the stripped tag, so callers always see the frame as it was on the wire.
    /// </summary>
    public const string PppoeFilter =
        "ether[12:2] = 0x8863 or ether[12:2] = 0x8864"
        + " or ((ether[12:2] = 0x8100 or ether[12:2] = 0x88a8 or ether[12:2] = 0x9100)"
        + " and (ether[16:2] = 0x8863 or ether[16:2] = 0x8864"
        + " or ((ether[16:2] = 0x8100 or ether[16:2] = 0x88a8 or ether[16:2] = 0x9100)"
        + " and (ether[20:2] = 0x8863 or ether[20:2] = 0x8864))))";

    public const int DefaultSnapLength = 65535;
    public const int DefaultBufferSizeBytes = 4 * 1024 * 1024;
    public const int DefaultReadTimeoutMs = 100;

    /// <summary>Promiscuous by default: PPPoE sessions are between other hosts' MACs.</summary>
    public bool Promiscuous { get; init; } = true;

    public CaptureDirection Direction { get; init; } = CaptureDirection.Both;

    public int SnapLength { get; init; } = DefaultSnapLength;

    /// <summary>Kernel ring size; bigger survives longer reader stalls before dropping.</summary>
    public int BufferSizeBytes { get; init; } = DefaultBufferSizeBytes;

    /// <summary>How long <see cref="LiveCapture.TryRead"/> waits before returning false, so loops can check cancellation.</summary>
    public int ReadTimeoutMs { get; init; } = DefaultReadTimeoutMs;

    /// <summary>BPF filter expression (tcpdump syntax); empty captures everything.</summary>
    public string Filter { get; init; } = PppoeFilter;

    /// <summary>What the proxy uses: PPPoE only, promiscuous, never seeing its own injected frames.</summary>
    public static CaptureOptions ForProxy { get; } = new() { Direction = CaptureDirection.InboundOnly };

    /// <summary>
    /// What the proxy ends use on <paramref name="interfaceName"/>: inbound PPPoE only, a snap length just above
    /// the largest frame the interface carries (MTU + Ethernet header + two VLAN tags) and a 16 MiB ring.
    /// Why: with offloads on (veth, most NICs) libpcap 1.10 sizes every slot of its memory-mapped ring by the
    /// snap length, so 64 KiB snaps left a 4 MiB ring with ~60 slots, and a reader late by a millisecond lost
    /// frames at 20,000 frames/s (measured with bench/run.sh). Now the ring holds ~10,000 frames.
    /// A frame longer than the snap length arrives truncated; the proxies drop it as malformed.
    /// </summary>
    public static CaptureOptions ForRelay(string interfaceName, bool promiscuous) => new()
    {
        Direction = CaptureDirection.InboundOnly,
        Promiscuous = promiscuous,
        SnapLength = Math.Max(NetworkInterfaces.GetMtu(interfaceName) ?? 1500, 1500) + RelayHeaderAllowance,
        BufferSizeBytes = RelayBufferSizeBytes,
    };

    /// <summary>Ethernet header plus two VLAN tags.</summary>
    public const int RelayHeaderAllowance = 14 + 2 * 4;
    public const int RelayBufferSizeBytes = 16 * 1024 * 1024;

    /// <summary>What sniffing tools use: PPPoE in both directions.</summary>
    public static CaptureOptions ForSniffing { get; } = new();

    internal void Validate()
    {
        if (SnapLength is < 64 or > 262144)
            throw new ArgumentOutOfRangeException(nameof(SnapLength), SnapLength, "snap length must be 64..262144");
        if (BufferSizeBytes < 64 * 1024)
            throw new ArgumentOutOfRangeException(nameof(BufferSizeBytes), BufferSizeBytes, "buffer must be at least 64 KiB");
        // 0 would mean "block forever" in libpcap, which defeats cooperative cancellation.
        if (ReadTimeoutMs <= 0)
            throw new ArgumentOutOfRangeException(nameof(ReadTimeoutMs), ReadTimeoutMs, "read timeout must be positive");
        ArgumentNullException.ThrowIfNull(Filter);
    }
}
