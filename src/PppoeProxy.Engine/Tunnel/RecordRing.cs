namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// A bounded single-producer/single-consumer byte ring for encoded tunnel records. The capture
/// thread appends records without locks or allocation; the socket writer takes everything queued
/// in one go and writes it with one call, so many frames share one TCP write. When the ring is
/// full the producer drops the record and the caller counts it: memory never grows.
/// </summary>
public sealed class RecordRing
{
    private readonly byte[] _buffer;
    private readonly int _mask;
    private long _head; // next byte the consumer reads; written by the consumer only
    private long _tail; // next byte the producer writes; written by the producer only
    private int _consumerWaiting;
    // No spinning before blocking (SemaphoreSlim spins with sched_yield): perf under bench/run.sh showed
    // the client's writer burning ~15 % of the process spinning, on a 2-core box the capture thread needs.
    private readonly ManualResetEventSlim _signal = new(false, spinCount: 0);

    /// <param name="capacity">Bytes; rounded up to a power of two.</param>
    public RecordRing(int capacity)
    {
        int size = 1;
        while (size < capacity) size <<= 1;
        _buffer = new byte[size];
        _mask = size - 1;
    }

    public int Capacity => _buffer.Length;
    public long QueuedBytes => Volatile.Read(ref _tail) - Volatile.Read(ref _head);

    /// <summary>Copies one encoded record in; false (and nothing written) when it does not fit.</summary>
    public bool TryWrite(ReadOnlySpan<byte> record)
    {
        long tail = _tail;
        long free = _buffer.Length - (tail - Volatile.Read(ref _head));
        if (record.Length > free) return false;
        int start = (int)(tail & _mask);
        int first = Math.Min(record.Length, _buffer.Length - start);
        record[..first].CopyTo(_buffer.AsSpan(start));
        record[first..].CopyTo(_buffer);
        Volatile.Write(ref _tail, tail + record.Length);
        WakeConsumer();
        return true;
    }

    private void WakeConsumer()
    {
        if (Volatile.Read(ref _consumerWaiting) == 1 && Interlocked.Exchange(ref _consumerWaiting, 0) == 1)
            _signal.Set();
    }

    /// <summary>True as soon as bytes are queued; false after the timeout, on cancellation, or when <see cref="Wake"/> was called.</summary>
    public bool WaitUntilQueued(TimeSpan timeout, CancellationToken cancellationToken)
    {
        long head = _head;
        if (Volatile.Read(ref _tail) != head) return true;
        Volatile.Write(ref _consumerWaiting, 1);
        if (Volatile.Read(ref _tail) != head)
        {
            Volatile.Write(ref _consumerWaiting, 0);
            return true;
        }
        try { _signal.Wait(timeout, cancellationToken); }
        catch (OperationCanceledException) { return false; }
        finally { Volatile.Write(ref _consumerWaiting, 0); }
        // Reset before re-reading the tail: a producer publishes its tail before it sets the event.
        _signal.Reset();
        return Volatile.Read(ref _tail) != head;
    }

    /// <summary>
    /// Hands everything queued right now to <paramref name="write"/> as at most two contiguous pieces,
    /// without waiting, and releases it. Returns the number of bytes consumed.
    /// </summary>
    public long Drain(Action<ReadOnlyMemory<byte>> write)
    {
        long head = _head;
        long tail = Volatile.Read(ref _tail);
        if (tail == head) return 0;
        int start = (int)(head & _mask);
        long length = tail - head;
        int first = (int)Math.Min(length, _buffer.Length - start);
        write(new ReadOnlyMemory<byte>(_buffer, start, first));
        if (length > first) write(new ReadOnlyMemory<byte>(_buffer, 0, (int)(length - first)));
        Volatile.Write(ref _head, tail);
        return length;
    }

    /// <summary>Wakes a waiting consumer (used on shutdown).</summary>
    public void Wake()
    {
        Interlocked.Exchange(ref _consumerWaiting, 0);
        _signal.Set();
    }
}
