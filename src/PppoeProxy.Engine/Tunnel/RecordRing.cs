namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// A bounded single-producer/single-consumer byte ring for encoded tunnel records. The capture
/// thread appends records without locks or allocation; the socket writer takes everything queued
/// in one go and writes it with one call, so many frames share one TCP write. When the ring is
/// full the producer drops the record and the caller counts it: memory never grows. The buffer is
/// allocated by the first record that needs it (most tunnels are light and write directly, see
/// <see cref="TunnelSender"/>) and let go by <see cref="Release"/> when the link closes.
/// </summary>
public sealed class RecordRing
{
    private readonly int _capacity;
    private readonly int _mask;
    private byte[]? _buffer; // published by the producer before the tail that covers it
    private int _released;
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
        _capacity = size;
        _mask = size - 1;
    }

    public int Capacity => _capacity;
    /// <summary>Whether the buffer is allocated now (tests: idle links must not hold one).</summary>
    public bool IsAllocated => Volatile.Read(ref _buffer) is not null;
    public long QueuedBytes => Volatile.Read(ref _tail) - Volatile.Read(ref _head);

    /// <summary>Copies one encoded record in; false (and nothing written) when it does not fit. <paramref name="wake"/> as for <see cref="Commit"/>.</summary>
    public bool TryWrite(ReadOnlySpan<byte> record, bool wake = true)
    {
        long tail = _tail;
        long free = _capacity - (tail - Volatile.Read(ref _head));
        if (record.Length > free) return false;
        var buffer = _buffer ?? Allocate();
        if (buffer is null) return false;
        int start = (int)(tail & _mask);
        int first = Math.Min(record.Length, _capacity - start);
        record[..first].CopyTo(buffer.AsSpan(start));
        record[first..].CopyTo(buffer);
        Volatile.Write(ref _tail, tail + record.Length);
        if (wake) WakeConsumer();
        return true;
    }

    /// <summary>
    /// Room for one record of up to <paramref name="size"/> bytes, contiguous at the tail, for the producer
    /// to encode into in place (no staging copy); empty when the free space is short or wraps (then
    /// encode elsewhere and use <see cref="TryWrite"/>, which splits). Publish with <see cref="Commit"/>.
    /// </summary>
    public Span<byte> TryReserve(int size)
    {
        long tail = _tail;
        if (size > _capacity - (tail - Volatile.Read(ref _head))) return default;
        int start = (int)(tail & _mask);
        if (size > _capacity - start) return default;
        var buffer = _buffer ?? Allocate();
        return buffer is null ? default : buffer.AsSpan(start, size);
    }

    /// <summary>
    /// Publishes the first <paramref name="length"/> bytes of the span <see cref="TryReserve"/> gave; without
    /// <paramref name="wake"/> a waiting consumer is not woken (the producer drains or wakes it at the end of its batch).
    /// </summary>
    public void Commit(int length, bool wake = true)
    {
        Volatile.Write(ref _tail, _tail + length);
        if (wake) WakeConsumer();
    }

    // Once per link at most (until released): the producer's first queued record.
    private byte[]? Allocate()
    {
        if (Volatile.Read(ref _released) == 1) return null;
        var buffer = new byte[_capacity];
        Volatile.Write(ref _buffer, buffer);
        // Released meanwhile: let it go again (the record written into it is dropped with the link).
        if (Volatile.Read(ref _released) == 1) Volatile.Write(ref _buffer, null);
        return buffer;
    }

    /// <summary>Lets the buffer go for good (the link closed): later writes are refused.</summary>
    public void Release()
    {
        Volatile.Write(ref _released, 1);
        Volatile.Write(ref _buffer, null);
    }

    /// <summary>Wakes the consumer if it waits (after commits that did not).</summary>
    public void WakeConsumer()
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
        // Queued bytes mean the buffer was published before the tail we read; null only once released.
        if (Volatile.Read(ref _buffer) is not { } buffer) return 0;
        int start = (int)(head & _mask);
        long length = tail - head;
        int first = (int)Math.Min(length, _capacity - start);
        write(new ReadOnlyMemory<byte>(buffer, start, first));
        if (length > first) write(new ReadOnlyMemory<byte>(buffer, 0, (int)(length - first)));
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
