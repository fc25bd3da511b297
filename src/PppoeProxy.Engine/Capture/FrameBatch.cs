using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

using static PppoeProxy.Engine.Capture.SocketMessage;

namespace PppoeProxy.Engine.Capture;

/// <summary>
/// Frames waiting to be injected with one sendmmsg() (see <see cref="LiveCapture.Inject(FrameBatch)"/>).
/// Why: one pcap_inject per frame was one syscall per frame on the server's tunnel reader; a batch
/// of up to <see cref="Capacity"/> frames costs one. Owned by one thread; native memory, so no
/// per-frame allocation and nothing for the GC to move under the kernel.
/// </summary>
public sealed unsafe class FrameBatch : IDisposable
{
    public const int DefaultCapacity = 64;
    private const int NameBytes = 128; // sizeof(struct sockaddr_storage)
    private readonly int _slotBytes;
    private byte* _frames;
    private IoVec* _iov;
    private MMsgHdr* _msgs;
    private byte* _name; // the destination (sockaddr) of every frame, for an unconnected UDP socket; null: none
    private uint _nameLength;
    private MMsgHdr* _runs;  // SendSegmented's messages: one per run of equal-size datagrams (allocated by its first use)
    private byte* _controls; // and their UDP_SEGMENT control messages
    private int[]? _runLengths; // datagrams in each of those runs

    public FrameBatch(int capacity = DefaultCapacity, int slotBytes = 2048)
    {
        Capacity = capacity;
        _slotBytes = slotBytes;
        _frames = (byte*)NativeMemory.Alloc((nuint)(capacity * slotBytes));
        _iov = (IoVec*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(IoVec)));
        _msgs = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(MMsgHdr)));
        for (int i = 0; i < capacity; i++)
        {
            _msgs[i].Header.Iov = &_iov[i];
            _msgs[i].Header.IovLength = 1;
        }
    }

    ~FrameBatch() => Free();

    public int Capacity { get; }
    public int Count { get; private set; }
    public bool IsFull => Count == Capacity;

    /// <summary>Copies a frame in; false when it does not fit a slot (inject it on its own) or the batch is full.</summary>
    public bool TryAdd(ReadOnlySpan<byte> frame)
    {
        if (Count == Capacity || frame.Length > _slotBytes || _frames == null) return false;
        var slot = _frames + (long)Count * _slotBytes;
        frame.CopyTo(new Span<byte>(slot, _slotBytes));
        _iov[Count].Base = slot;
        _iov[Count].Length = (nuint)frame.Length;
        Count++;
        return true;
    }

    /// <summary>
    /// Adds a frame without copying it: the batch keeps a pointer to <paramref name="frame"/>, so its memory
    /// must be pinned (or native) and unchanged until the batch is sent or cleared. Why: the server's tunnel
    /// reader copied every frame from its read buffer into a slot only for sendmmsg to copy it again.
    /// False when the batch is full.
    /// </summary>
    public bool TryAddInPlace(ReadOnlySpan<byte> frame)
    {
        if (Count == Capacity || _frames == null) return false;
        _iov[Count].Base = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(frame));
        _iov[Count].Length = (nuint)frame.Length;
        Count++;
        return true;
    }

    public void Clear() => Count = 0;

    /// <summary>Every frame goes to this socket address (raw sockaddr bytes, as <c>SocketAddress.Buffer</c> holds them).</summary>
    public void SetDestination(ReadOnlySpan<byte> sockaddr)
    {
        if (sockaddr.Length > NameBytes || _msgs == null) throw new ArgumentOutOfRangeException(nameof(sockaddr));
        if (_name == null) _name = (byte*)NativeMemory.AllocZeroed(NameBytes);
        sockaddr.CopyTo(new Span<byte>(_name, NameBytes));
        _nameLength = (uint)sockaddr.Length;
        for (int i = 0; i < Capacity; i++)
        {
            _msgs[i].Header.Name = _name;
            _msgs[i].Header.NameLength = (uint)sockaddr.Length;
        }
    }

    /// <summary>sendmmsg on <paramref name="fd"/> from <paramref name="start"/>: frames sent, or -1 (errno is kept).</summary>
    internal int Send(int fd, int start) => SendMmsg(fd, _msgs + start, (uint)(Count - start), 0);

    // struct cmsghdr (16 bytes on 64-bit) + a u16 segment size, padded to 8: CMSG_SPACE(2).
    private const int ControlBytes = 24, SolUdp = 17, UdpSegment = 103, MaxSegments = 64, MaxSegmentedBytes = 65000;

    /// <summary>
    /// Like <see cref="Send"/>, for UDP: each run of equal-size datagrams (the last one may be shorter) goes
    /// as one message with UDP_SEGMENT (GSO): the kernel walks the UDP/IP send path once per run, not once
    /// per datagram, and cuts it into the same datagrams. Datagrams sent, or -1 (errno kept; EIO or EINVAL:
    /// the kernel or the route cannot segment, use <see cref="Send"/>).
    /// </summary>
    internal int SendSegmented(int fd, int start)
    {
        if (_msgs == null) return 0;
        if (_runs == null)
        {
            _runs = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(Capacity * sizeof(MMsgHdr)));
            _controls = (byte*)NativeMemory.AllocZeroed((nuint)(Capacity * ControlBytes));
            _runLengths = new int[Capacity];
        }
        int runs = 0;
        for (int i = start; i < Count; runs++)
        {
            nuint size = _iov[i].Length;
            int end = i + 1;
            nuint bytes = size;
            while (end < Count && end - i < MaxSegments && bytes + _iov[end].Length <= MaxSegmentedBytes && _iov[end].Length <= size)
            {
                bytes += _iov[end].Length;
                bool shorter = _iov[end].Length < size;
                end++;
                if (shorter) break; // only the last may be shorter
            }
            ref var run = ref _runs[runs];
            run.Header.Name = _name;
            run.Header.NameLength = _name == null ? 0 : _nameLength;
            run.Header.Iov = &_iov[i];
            run.Header.IovLength = (nuint)(end - i);
            run.Header.Flags = 0;
            if (end - i > 1)
            {
                var control = _controls + (long)runs * ControlBytes;
                *(ulong*)control = 16 + 2;                  // cmsg_len = CMSG_LEN(2)
                *(int*)(control + 8) = SolUdp;              // cmsg_level
                *(int*)(control + 12) = UdpSegment;         // cmsg_type
                *(ushort*)(control + 16) = (ushort)size;    // the segment size
                run.Header.Control = control;
                run.Header.ControlLength = ControlBytes;
            }
            else
            {
                run.Header.Control = null;
                run.Header.ControlLength = 0;
            }
            _runLengths![runs] = end - i;
            i = end;
        }
        int sent = SendMmsg(fd, _runs, (uint)runs, 0);
        if (sent <= 0) return sent;
        int datagrams = 0;
        for (int r = 0; r < sent; r++) datagrams += _runLengths![r];
        return datagrams;
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        NativeMemory.Free(_frames); _frames = null;
        NativeMemory.Free(_iov); _iov = null;
        NativeMemory.Free(_msgs); _msgs = null;
        NativeMemory.Free(_name); _name = null;
        NativeMemory.Free(_runs); _runs = null;
        NativeMemory.Free(_controls); _controls = null;
        Count = 0;
    }

    [DllImport("libc.so.6", EntryPoint = "sendmmsg", SetLastError = true)] // as LibPcap.Poll: "libc.so" is only a linker script, and only where libc6-dev is installed
    private static extern int SendMmsg(int fd, MMsgHdr* messages, uint count, int flags);
}
