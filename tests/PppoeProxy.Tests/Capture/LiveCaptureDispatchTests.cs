using System.Diagnostics;
using PppoeProxy.Engine.Capture;
using Xunit;

namespace PppoeProxy.Tests.Capture;

/// <summary>
/// The copy-free paths of a live capture: <see cref="LiveCapture.Dispatch"/> hands frames straight from
/// libpcap's ring, and a <see cref="FrameBatch"/> injects frames it points at instead of copying.
/// </summary>
public sealed class LiveCaptureDispatchTests : IDisposable
{
    private readonly TestFrames _frames = new();
    private VethPair? _veth;
    private int _mostPerDispatch;

    private VethPair Veth => _veth ??= new VethPair();

    public void Dispose() => _veth?.Dispose();

    private List<byte[]> Collect(LiveCapture capture, int expected, TimeSpan limit)
    {
        var received = new List<byte[]>();
        CapturedFrameHandler keep = frame =>
        {
            if (frame.Data.Length >= 12 && frame.Data.Slice(6, 6).SequenceEqual(_frames.SourceMac)) received.Add(frame.Data.ToArray());
        };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit && received.Count < expected) _mostPerDispatch = Math.Max(_mostPerDispatch, capture.Dispatch(keep, 64));
        return received;
    }

    [RootFact]
    public void DispatchHandsOverEveryFrameExactlyAndInOrderVlanTagsRestored()
    {
        using var capture = LiveCapture.Open(Veth.Local, CaptureOptions.ForProxy);
        var pppoe = new[] { _frames.Session, _frames.SessionTwoTags, _frames.Session9100Outer };
        // Sent before the first read, all at once: few enough for the proxy's small capture ring to hold.
        Veth.SendFromPeer(Enumerable.Range(0, 12).SelectMany(_ => pppoe.Prepend(_frames.Arp)));

        var received = Collect(capture, 36, TimeSpan.FromSeconds(5));

        // The kernel's stripped outer tag put back, nothing filtered in, and several frames per dispatch.
        Assert.Equal(Enumerable.Range(0, 12).SelectMany(_ => pppoe), received);
        Assert.True(_mostPerDispatch > 1, $"one frame per dispatch at most: {_mostPerDispatch}");
    }

    [RootFact]
    public void AHandlerThatThrowsStopsTheBatchAndTheExceptionReachesTheCaller()
    {
        using var capture = LiveCapture.Open(Veth.Local, CaptureOptions.ForProxy);
        Veth.SendFromPeer(new[] { _frames.Session, _frames.Session, _frames.Session });
        int calls = 0;
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(5)) capture.Dispatch(_ => { calls++; throw new InvalidOperationException("boom"); }, 64);
        });
        Assert.Equal("boom", error.Message);
        Assert.Equal(1, calls); // the rest of the batch was not handed to a failed handler

        // The capture still works: the frames after the failed one are read by the next dispatch.
        Assert.Equal(2, Collect(capture, 2, TimeSpan.FromSeconds(5)).Count);
    }

    [RootFact]
    public void ABatchOfFramesAddedInPlaceReachesTheWireExactly()
    {
        using var sniffer = LiveCapture.Open(Veth.Local, CaptureOptions.ForSniffing);
        using var injector = LiveCapture.OpenForInjection(Veth.Local);
        // One pinned buffer, as a tunnel's read buffer: the batch points into it.
        var frames = new[] { _frames.Session, _frames.SessionTwoTags, _frames.Discovery, _frames.SessionOneTag };
        var buffer = GC.AllocateArray<byte>(frames.Sum(f => f.Length + 3), pinned: true);
        using var batch = new FrameBatch(capacity: 8, slotBytes: 256);
        int offset = 0;
        var starts = new List<int>();
        foreach (var frame in frames)
        {
            frame.CopyTo(buffer, offset);
            Assert.True(batch.TryAddInPlace(buffer.AsSpan(offset, frame.Length)));
            starts.Add(offset);
            offset += frame.Length + 3;
        }
        // A copied frame after in-place ones keeps its own slot.
        var copied = _frames.Discovery;
        Assert.True(batch.TryAdd(copied));
        // Changed after adding: an in-place frame carries the change (the batch points at it), the copied one does not.
        int last = frames[0].Length - 1; // in the payload: the sniffer's PPPoE filter still matches
        buffer[starts[0] + last] ^= 0xff;
        frames[0][last] ^= 0xff;
        var expected = frames.Append(copied.ToArray()).ToArray();
        copied[^1] ^= 0xff;

        Assert.Equal(0, injector.Inject(batch));

        Assert.Equal(expected, Collect(sniffer, expected.Length, TimeSpan.FromSeconds(5)));
    }
}
