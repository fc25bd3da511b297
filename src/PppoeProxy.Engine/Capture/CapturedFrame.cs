namespace PppoeProxy.Engine.Capture;

/// <summary>
/// One frame from a live capture or a capture file. <see cref="Data"/> points into a buffer owned by
/// the reader and is only valid until the reader's next TryRead or Dispose: copy it to keep it.
/// </summary>
public readonly ref struct CapturedFrame
{
    public CapturedFrame(ReadOnlySpan<byte> data, long timestampUnixMicros, int originalLength)
    {
        Data = data;
        TimestampUnixMicros = timestampUnixMicros;
        OriginalLength = originalLength;
    }

    /// <summary>The captured bytes, starting at the Ethernet destination MAC (no FCS).</summary>
    public ReadOnlySpan<byte> Data { get; }

    public long TimestampUnixMicros { get; }

    /// <summary>Length on the wire; larger than Data.Length when the snap length cut the frame.</summary>
    public int OriginalLength { get; }

    public bool IsTruncated => Data.Length < OriginalLength;

    public DateTimeOffset Timestamp => DateTimeOffset.UnixEpoch.AddTicks(TimestampUnixMicros * TimeSpan.TicksPerMicrosecond);
}
