using System.Diagnostics;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// The sending half of a tunnel (Kestrel's socket sender is the model): encoded records go out either
/// directly on the producer's thread at light load, or through a ring: drained in one write by the
/// producer at the end of its capture batch (see <see cref="BeginBatch"/>), or by the sender's own
/// thread when the socket is full or a backlog waits. Frames come from one producer (the capture thread) without locks; control
/// records (ping, pong, goodbye) are written directly too when the transport is free, else they take a
/// small locked queue (rare, from other threads). The sender's thread and the ring's buffer exist only
/// once something had to be queued: an idle or light tunnel costs no thread and no 4 MiB ring.
/// A carrier failure is reported once through the callback.
/// </summary>
internal sealed class TunnelSender
{
    // A frame that follows the previous one by more than this is "light load": see TrySend.
    private static readonly long DirectWriteGapTicks = Stopwatch.Frequency / 10_000; // 100 µs

    // The most the producer writes itself at the end of a batch: a batch of full-size frames (64 x 1518 B)
    // with room to spare, well under the socket's send buffer, so a writable socket takes it without blocking.
    private const int BatchWriteLimitBytes = 256 * 1024;

    private readonly ITunnelTransport _transport;
    private readonly RecordRing _ring;
    private readonly Action<TunnelTransportException> _failed;
    private readonly object _controlGate = new();
    private readonly List<byte[]> _control = new();
    private readonly CancellationTokenSource _stop = new();
    // Allocated once: a lambda in the write loop would be a new object on every drain.
    private readonly Action<ReadOnlyMemory<byte>> _writePiece;
    private string? _threadName;
    private int _threadStarted;
    private int _writeOwner; // 1 while a thread (the sender's, or the producer writing directly) uses the transport
    private long _lastFrameTimestamp;
    private readonly int _recordOverhead; // a frame record's bytes beyond the frame's

    public TunnelSender(ITunnelTransport transport, int ringBytes, Action<TunnelTransportException> failed)
    {
        _transport = transport;
        _ring = new RecordRing(ringBytes);
        _failed = failed;
        _writePiece = piece => _transport.Send(piece.Span);
        _recordOverhead = transport.MaxRecordSize - transport.MaxFrameLength;
    }

    public long QueuedBytes => _ring.QueuedBytes;
    public bool HasPending { get { lock (_controlGate) return _ring.QueuedBytes > 0 || _control.Count > 0; } }

    /// <summary>Whether the sender's own thread runs (tests: a light link must not need one).</summary>
    public bool HasThread => Volatile.Read(ref _threadStarted) == 1;
    public bool HasRingBuffer => _ring.IsAllocated;

    /// <summary>Allows the sender's thread, started the first time something is queued.</summary>
    public void Start(string threadName)
    {
        Volatile.Write(ref _threadName, threadName);
        if (HasPending) EnsureThread();
    }

    // Once per link: the first record that had to be queued starts the thread that drains the queue.
    private bool EnsureThread()
    {
        if (Volatile.Read(ref _threadStarted) == 1 || Volatile.Read(ref _threadName) is not { } name || _stop.IsCancellationRequested) return true;
        if (Interlocked.CompareExchange(ref _threadStarted, 1, 0) == 0)
            new Thread(SendLoop) { IsBackground = true, Name = name }.Start();
        return true;
    }

    /// <summary>Sends or queues one frame record; false when the ring is full (the caller counts the drop).</summary>
    public bool TrySend(ReadOnlySpan<byte> record)
    {
        // Light load (nothing queued, previous frame long ago): write it ourselves and spare the hand-off
        // to the sender thread, one thread wake-up (~45 µs on the bench VM) per frame each way. Under
        // load frames go through the ring, so many share one write.
        return Send(record, IsLight());
    }

    private bool Send(ReadOnlySpan<byte> record, bool light)
    {
        if (light && TryWriteDirect(record)) return true;
        bool batched = t_batching; // in the capture thread's batch: EndBatch writes or hands over the lot
        return _ring.TryWrite(record, wake: !batched) && Queued(batched);
    }

    // A record is in the ring: the batch's end writes it, or else the sender's thread (started if need be).
    private bool Queued(bool batched)
    {
        if (!batched) return EnsureThread();
        Pending();
        return true;
    }

    /// <summary>
    /// The same for a frame not yet encoded: under load it is encoded straight into the ring (one copy
    /// of the frame fewer than encoding elsewhere and queueing that); <paramref name="scratch"/> holds
    /// the record for the light-load direct write and when the ring's free space wraps.
    /// </summary>
    public bool TrySendFrame(ReadOnlySpan<byte> frame, ushort etherType, Span<byte> scratch)
    {
        bool light = IsLight();
        if (!light)
        {
            var room = _ring.TryReserve(frame.Length + _recordOverhead);
            if (!room.IsEmpty)
            {
                bool batched = t_batching;
                _ring.Commit(_transport.WriteFrame(room, frame, etherType), wake: !batched);
                return Queued(batched);
            }
        }
        return Send(scratch[.._transport.WriteFrame(scratch, frame, etherType)], light);
    }

    // The producer's batch (see BeginBatch): senders with frames committed but not yet written or handed over.
    [ThreadStatic] private static bool t_batching;
    [ThreadStatic] private static TunnelSender?[]? t_pending;
    [ThreadStatic] private static int t_pendingCount;
    private bool _isPending; // the producer's

    /// <summary>
    /// On the producer's thread, around a batch of captured frames: frames queued meanwhile wake no writer
    /// thread; <see cref="EndBatch"/> writes them on this thread when the transport can take them now, else
    /// hands them to the writer thread. Why: under load every hand-off was a futex wake-up and a thread
    /// switch on each end (a quarter of the time at 1514 B), and the C relay, one thread, pays none; with
    /// TLS it also makes one write, so full TLS records, of each batch.
    /// </summary>
    public static void BeginBatch() => t_batching = true;

    public static void EndBatch()
    {
        t_batching = false;
        var pending = t_pending;
        for (int i = 0; i < t_pendingCount; i++)
        {
            var sender = pending![i]!;
            pending[i] = null;
            sender._isPending = false;
            sender.WriteBatch();
        }
        t_pendingCount = 0;
    }

    private void Pending()
    {
        if (_isPending) return;
        var pending = t_pending ??= new TunnelSender?[8];
        if (t_pendingCount == pending.Length) Array.Resize(ref t_pending, pending.Length * 2); // once per new high of links in a batch
        t_pending![t_pendingCount++] = this;
        _isPending = true;
    }

    // The batch's records go out on this thread unless the writer thread holds the transport or the socket is full.
    private void WriteBatch()
    {
        long queued = _ring.QueuedBytes;
        if (queued == 0) return;
        // A backlog the writer thread left is its to write: the capture thread must not block on it.
        if (queued <= BatchWriteLimitBytes && !_stop.IsCancellationRequested && Interlocked.CompareExchange(ref _writeOwner, 1, 0) == 0)
        {
            bool written = false;
            try
            {
                if (_transport.CanSendNow)
                {
                    _ring.Drain(_writePiece);
                    _transport.Flush();
                    written = true;
                }
            }
            catch (TunnelTransportException error)
            {
                _failed(error);
                return;
            }
            finally { Volatile.Write(ref _writeOwner, 0); }
            if (written) return;
        }
        EnsureThread();
        _ring.WakeConsumer();
    }

    // Stamps this frame's time; true when the ring is empty and the previous frame was long ago.
    private bool IsLight()
    {
        long now = Stopwatch.GetTimestamp();
        bool light = now - _lastFrameTimestamp > DirectWriteGapTicks;
        _lastFrameTimestamp = now;
        return light && _ring.QueuedBytes == 0;
    }

    public void QueueControl(byte[] record)
    {
        // No thread yet and nothing queued: write it here (a pong from the reader thread, a goodbye).
        if (!HasThread && !HasPending && TryWriteDirect(record)) return;
        lock (_controlGate) _control.Add(record);
        EnsureThread();
        _ring.Wake();
    }

    /// <summary>Stops the thread and lets the ring's buffer go: the link is closed.</summary>
    public void Stop()
    {
        _stop.Cancel();
        _ring.Wake();
        _ring.Release();
    }

    // Frames keep their order: the ring is empty (all earlier frames written) and only the producer adds.
    private bool TryWriteDirect(ReadOnlySpan<byte> record)
    {
        if (Interlocked.CompareExchange(ref _writeOwner, 1, 0) != 0) return false;
        try
        {
            // Never block the capture thread on a full send buffer; the ring absorbs that case.
            if (_stop.IsCancellationRequested || !_transport.CanSendNow) return false;
            _transport.Send(record);
            _transport.Flush();
            return true;
        }
        catch (TunnelTransportException error)
        {
            _failed(error);
            return false;
        }
        finally { Volatile.Write(ref _writeOwner, 0); }
    }

    // The producer holds the transport for one record or one batch (<= BatchWriteLimitBytes): spin (no 1-ms sleeps) until it is done.
    private void AcquireWriteOwner()
    {
        var spin = new SpinWait();
        while (Interlocked.CompareExchange(ref _writeOwner, 1, 0) != 0) spin.SpinOnce(sleep1Threshold: -1);
    }

    private void SendLoop()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                byte[][] control;
                lock (_controlGate)
                {
                    control = _control.Count == 0 ? Array.Empty<byte[]>() : _control.ToArray();
                    _control.Clear();
                }
                if (control.Length == 0 && !_ring.WaitUntilQueued(TimeSpan.FromMilliseconds(500), _stop.Token)) continue;
                AcquireWriteOwner();
                try
                {
                    foreach (var record in control) _transport.Send(record);
                    long written = _ring.Drain(_writePiece);
                    if (written > 0 || control.Length > 0) _transport.Flush();
                }
                finally { Volatile.Write(ref _writeOwner, 0); }
            }
        }
        catch (TunnelTransportException error) { _failed(error); }
        catch (OperationCanceledException) { }
    }
}
