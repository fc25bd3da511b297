namespace PackageBench;

/// <summary>One libpcap wrapper under test on a live interface: read frames, send frames, report pcap_stats.</summary>
public interface ILiveContender : IDisposable
{
    string Name { get; }

    /// <summary>Reads one frame; false when the read timed out.</summary>
    bool TryReadOne();

    void Send(ReadOnlySpan<byte> frame);

    /// <summary>pcap_stats: frames the filter passed, frames the kernel dropped for lack of ring space.</summary>
    (long Received, long Dropped) Statistics();
}
