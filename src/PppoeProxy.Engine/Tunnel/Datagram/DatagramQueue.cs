using System.Net;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>
/// One association's inbound datagrams on the server: the socket's dispatcher thread is the only
/// producer, the association's reader (its handshake thread, then its link's reader) the only
/// consumer. Fixed slots allocated once, so a flood can fill it but never grow it: when full the
/// datagram is dropped and the caller counts it. Each slot keeps the datagram's source address, so
/// the association can follow a client that moved once a datagram from there authenticates.
/// A slot's buffer is allocated when a datagram first needs it: an association that carries little
/// (most of them) holds a few slots, never the whole 512 KiB.
/// </summary>
internal sealed class DatagramQueue
{
    public const int DefaultSlots = 256;

    private readonly byte[]?[] _slots;
    private readonly int _slotBytes;
    private readonly int[] _lengths;
    private readonly SocketAddress[] _sources;
    private readonly int _mask;
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
        for (int i = 0; i < size; i++) _sources[i] = new SocketAddress(family);
    }

    public bool IsClosed => Volatile.Read(ref _closed) == 1;
    public int Capacity => _slots.Length;
    /// <summary>Slots holding a buffer now (tests: a quiet association must not hold them all).</summary>
    public int AllocatedSlots => _slots.Count(s => s is not null);

    /// <summary>Producer: copies one datagram in; false when full or closed (nothing written).</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> datagram, SocketAddress source)
    {
        if (IsClosed) return false;
        long tail = _tail;
        if (tail - Volatile.Read(ref _head) >= _slots.Length) return false;
        int slot = (int)(tail & _mask);
        if (datagram.Length > _slotBytes) return false;
        // Published with the tail below: the consumer reads a slot only after seeing the tail cover it.
        datagram.CopyTo(_slots[slot] ??= new byte[_slotBytes]);
        _lengths[slot] = datagram.Length;
        CopyAddress(source, _sources[slot]);
        Volatile.Write(ref _tail, tail + 1);
        if (Volatile.Read(ref _consumerWaiting) == 1 && Interlocked.Exchange(ref _consumerWaiting, 0) == 1) _signal.Set();
        return true;
    }

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
                CopyAddress(_sources[slot], source);
                Volatile.Write(ref _head, head + 1);
                return length;
            }
            long left = deadline - Environment.TickCount64;
            if (left <= 0) return -1;
            Volatile.Write(ref _consumerWaiting, 1);
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
    }

    public static void CopyAddress(SocketAddress from, SocketAddress to)
    {
        from.Buffer.Span[..from.Size].CopyTo(to.Buffer.Span);
        to.Size = from.Size;
    }
}
