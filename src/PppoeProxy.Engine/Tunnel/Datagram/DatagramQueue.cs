using System.Net;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>
/// One association's inbound datagrams on the server: the socket's dispatcher thread is the only
/// producer, the association's reader (its handshake thread, then its link's reader) the only
/// consumer. Fixed slots allocated once, so a flood can fill it but never grow it: when full the
/// datagram is dropped and the caller counts it. Each slot keeps the datagram's source address, so
/// the association can follow a client that moved once a datagram from there authenticates.
/// A slot's buffer is allocated when a datagram first needs it: an association that carries little
/// (most of them) holds a few slots, never the whole 4 MiB. Until <see cref="Widen"/> (the handshake
/// done) it takes only <see cref="HandshakeSlots"/>: a peer that is not yet authenticated cannot make
/// the server hold megabytes for it.
/// </summary>
internal sealed class DatagramQueue
{
    // As deep as the TCP transport's 4 MiB of socket buffer and ring: the reader on a busy 2-core box
    // can be off its CPU for 10-100 ms, and at 30 k datagrams/s the old 256 slots held 9 ms of them
    // (the bench's 1514-B rate was the dispatcher dropping them here, QueueFull, not the socket).
    public const int DefaultSlots = 2048;
    /// <summary>Slots usable before <see cref="Widen"/>: a handshake's flights are a few datagrams.</summary>
    public const int HandshakeSlots = 64;

    private readonly byte[]?[] _slots;
    private readonly int _slotBytes;
    private readonly int[] _lengths;
    private readonly SocketAddress?[] _sources;
    private readonly System.Net.Sockets.AddressFamily _family;
    private readonly int _mask;
    private int _limit;
    private long _head, _tail;
    private int _closed;
    private int _consumerWaiting;
    private readonly ManualResetEventSlim _signal = new(false, spinCount: 0);

    public DatagramQueue(int slots, int slotBytes, System.Net.Sockets.AddressFamily family)
    {
        int size = 1;
        while (size < slots) size <<= 1;
        _mask = size - 1;
        _slots = new byte[size][];
        _slotBytes = slotBytes;
        _lengths = new int[size];
        _sources = new SocketAddress[size];
        _family = family;
        _limit = Math.Min(size, HandshakeSlots);
    }

    public bool IsClosed => Volatile.Read(ref _closed) == 1;
    /// <summary>Consumer: a datagram waits (<see cref="Dequeue"/> would not block).</summary>
    public bool HasPending => Volatile.Read(ref _tail) != _head;
    public int Capacity => _slots.Length;
    /// <summary>Slots usable now: <see cref="HandshakeSlots"/> until <see cref="Widen"/>, then all.</summary>
    public int Limit => Volatile.Read(ref _limit);

    /// <summary>The peer authenticated: its datagrams may use every slot from now on.</summary>
    public void Widen() => Volatile.Write(ref _limit, _slots.Length);
    /// <summary>Datagrams waiting (producer side: exact for the dispatcher, which alone adds).</summary>
    public int Count => (int)(Volatile.Read(ref _tail) - Volatile.Read(ref _head));
    /// <summary>Slots holding a buffer now (tests: a quiet association must not hold them all).</summary>
    public int AllocatedSlots => _slots.Count(s => s is not null);

    /// <summary>Producer: copies one datagram in; false when full or closed (nothing written).</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> datagram, SocketAddress source)
    {
        if (IsClosed) return false;
        long tail = _tail;
        if (tail - Volatile.Read(ref _head) >= Volatile.Read(ref _limit)) return false;
        int slot = (int)(tail & _mask);
        if (datagram.Length > _slotBytes) return false;
        // Published with the tail below: the consumer reads a slot only after seeing the tail cover it.
        datagram.CopyTo(_slots[slot] ??= new byte[_slotBytes]);
        _lengths[slot] = datagram.Length;
        CopyAddress(source, _sources[slot] ??= new SocketAddress(_family));
        // A full fence between publishing the tail and reading the consumer's flag (and the mirror one in
        // Dequeue): with plain volatile accesses both sides may read the other's old value (x86 reorders a
        // store with a later load), and the consumer sleeps on a datagram nobody wakes it for.
        Interlocked.Exchange(ref _tail, tail + 1);
        if (Volatile.Read(ref _consumerWaiting) == 1 && Interlocked.Exchange(ref _consumerWaiting, 0) == 1)
        {
            _signal.Set();
            Bell?.Ring();
        }
        return true;
    }

    /// <summary>
    /// Rung when a datagram arrives for a consumer that armed it (<see cref="ArmBell"/>): one that sleeps in
    /// poll() on a socket of its own as well, rather than in <see cref="Dequeue"/>.
    /// </summary>
    public Capture.Doorbell? Bell { get; set; }

    /// <summary>
    /// Consumer, before it sleeps on <see cref="Bell"/>: the next datagram (or Close) rings it. False when one
    /// already waits or the queue is closed: nothing armed, do not sleep. Pair with <see cref="DisarmBell"/>.
    /// </summary>
    public bool ArmBell()
    {
        Interlocked.Exchange(ref _consumerWaiting, 1); // a full fence, as in Dequeue
        if (Volatile.Read(ref _tail) == _head && !IsClosed) return true;
        Volatile.Write(ref _consumerWaiting, 0);
        return false;
    }

    public void DisarmBell() => Volatile.Write(ref _consumerWaiting, 0);

    /// <summary>
    /// Consumer: the next datagram into <paramref name="buffer"/>, its source into
    /// <paramref name="source"/>. -1 after <paramref name="waitMillis"/> (0: no limit);
    /// throws <see cref="ObjectDisposedException"/> once closed.
    /// </summary>
    public int Dequeue(Span<byte> buffer, SocketAddress source, int waitMillis)
    {
        long deadline = waitMillis > 0 ? Environment.TickCount64 + waitMillis : long.MaxValue;
        while (true)
        {
            if (IsClosed) throw new ObjectDisposedException(nameof(DatagramQueue));
            long head = _head;
            if (Volatile.Read(ref _tail) != head)
            {
                int slot = (int)(head & _mask);
                int length = Math.Min(_lengths[slot], buffer.Length);
                _slots[slot]!.AsSpan(0, length).CopyTo(buffer);
                CopyAddress(_sources[slot]!, source);
                Volatile.Write(ref _head, head + 1);
                return length;
            }
            long left = deadline - Environment.TickCount64;
            if (left <= 0) return -1;
            Interlocked.Exchange(ref _consumerWaiting, 1);
            if (Volatile.Read(ref _tail) != head || IsClosed)
            {
                Volatile.Write(ref _consumerWaiting, 0);
                continue;
            }
            _signal.Wait((int)Math.Min(left, 1000));
            Volatile.Write(ref _consumerWaiting, 0);
            _signal.Reset();
        }
    }

    public void Close()
    {
        Volatile.Write(ref _closed, 1);
        _signal.Set();
        Bell?.Ring();
    }

    public static void CopyAddress(SocketAddress from, SocketAddress to)
    {
        from.Buffer.Span[..from.Size].CopyTo(to.Buffer.Span);
        to.Size = from.Size;
    }
}
