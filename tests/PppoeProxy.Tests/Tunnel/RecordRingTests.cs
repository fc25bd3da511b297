using PppoeProxy.Engine.Tunnel;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

public class RecordRingTests
{
    [Fact]
    public void AFullRingRefusesInsteadOfGrowing()
    {
        var ring = new RecordRing(64);
        Assert.True(ring.TryWrite(new byte[40]));
        Assert.False(ring.TryWrite(new byte[40]));
        Assert.Equal(40, ring.QueuedBytes);
        Assert.Equal(64, ring.Capacity);
    }

    [Fact]
    public void DrainHandsOverEverythingQueuedAcrossTheWrapInOrder()
    {
        var ring = new RecordRing(16);
        var output = new List<byte>();
        for (int round = 0; round < 50; round++)
        {
            var a = Enumerable.Range(round * 3, 5).Select(i => (byte)i).ToArray();
            var b = Enumerable.Range(round * 7, 6).Select(i => (byte)i).ToArray();
            Assert.True(ring.TryWrite(a));
            Assert.True(ring.TryWrite(b));
            output.Clear();
            long drained = ring.Drain(m => output.AddRange(m.ToArray()));
            Assert.Equal(11, drained);
            Assert.Equal(a.Concat(b), output);
        }
    }

    [Fact]
    public void AProducerAndAConsumerOnTwoThreadsLoseNothingAndReorderNothing()
    {
        var ring = new RecordRing(4096);
        const int records = 200_000;
        var received = new List<byte>(records * 4);
        var consumer = new Thread(() =>
        {
            // The writer thread's pattern: block until something is queued, then take all of it.
            while (received.Count < records * 4)
                if (ring.WaitUntilQueued(TimeSpan.FromMilliseconds(100), CancellationToken.None)) ring.Drain(m => received.AddRange(m.ToArray()));
        });
        consumer.Start();
        var record = new byte[4];
        for (int i = 0; i < records; i++)
        {
            BitConverter.TryWriteBytes(record, i);
            while (!ring.TryWrite(record)) Thread.SpinWait(10);
        }
        Assert.True(consumer.Join(TimeSpan.FromSeconds(30)));
        for (int i = 0; i < records; i++) Assert.Equal(i, BitConverter.ToInt32(received.GetRange(i * 4, 4).ToArray()));
    }

    [Fact]
    public void AWaitingConsumerReturnsOnTimeoutWithNothing()
    {
        var ring = new RecordRing(64);
        Assert.False(ring.WaitUntilQueued(TimeSpan.FromMilliseconds(50), CancellationToken.None));
        Assert.Equal(0, ring.Drain(_ => throw new InvalidOperationException()));
    }

    [Fact]
    public void AWaitingConsumerWakesWhenARecordArrivesAndWhenWokenForShutdown()
    {
        var ring = new RecordRing(64);
        var waiting = Task.Run(() => ring.WaitUntilQueued(TimeSpan.FromSeconds(30), CancellationToken.None));
        Thread.Sleep(50);
        Assert.True(ring.TryWrite(new byte[8]));
        Assert.True(waiting.Wait(TimeSpan.FromSeconds(5)) && waiting.Result);
        Assert.Equal(8, ring.Drain(_ => { }));

        var woken = Task.Run(() => ring.WaitUntilQueued(TimeSpan.FromSeconds(30), CancellationToken.None));
        Thread.Sleep(50);
        ring.Wake();
        Assert.True(woken.Wait(TimeSpan.FromSeconds(5)));
        Assert.False(woken.Result); // woken with nothing queued: the writer then looks at its control records
    }

    [Fact]
    public void ReservedRoomIsContiguousAtTheTailAndRefusedWhenTheFreeSpaceWraps()
    {
        var ring = new RecordRing(16);
        var room = ring.TryReserve(10);
        Assert.Equal(10, room.Length);
        new byte[] { 1, 2, 3, 4, 5, 6 }.CopyTo(room);
        Assert.Equal(0, ring.QueuedBytes); // nothing is published before the commit
        ring.Commit(6); // less than reserved: only what the record took
        Assert.Equal(6, ring.QueuedBytes);
        Assert.True(ring.TryReserve(11).IsEmpty); // more than is free
        Assert.Equal(6, ring.Drain(_ => { }));
        // 10 bytes free at the end, 16 in all: room that would wrap is refused, TryWrite splits instead.
        Assert.True(ring.TryReserve(12).IsEmpty);
        Assert.True(ring.TryWrite(new byte[] { 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18 }));
        var output = new List<byte>();
        ring.Drain(m => output.AddRange(m.ToArray()));
        Assert.Equal(Enumerable.Range(7, 12).Select(i => (byte)i), output);
        Assert.Equal(4, ring.TryReserve(4).Length); // after the wrap, at the front again
    }
}
