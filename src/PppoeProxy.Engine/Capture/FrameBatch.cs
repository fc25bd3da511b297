using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
        for (int i = 0; i < Capacity; i++)
        {
            _msgs[i].Header.Name = _name;
            _msgs[i].Header.NameLength = (uint)sockaddr.Length;
        }
    }

    /// <summary>sendmmsg on <paramref name="fd"/> from <paramref name="start"/>: frames sent, or -1 (errno is kept).</summary>
    internal int Send(int fd, int start) => SendMmsg(fd, _msgs + start, (uint)(Count - start), 0);

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
        Count = 0;
    }

    [DllImport("libc.so.6", EntryPoint = "sendmmsg", SetLastError = true)] // as LibPcap.Poll: "libc.so" is only a linker script, and only where libc6-dev is installed
    private static extern int SendMmsg(int fd, MMsgHdr* messages, uint count, int flags);

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec { public byte* Base; public nuint Length; }

    // struct msghdr / mmsghdr for 64-bit Linux (natural alignment gives the C layout: 56 and 64 bytes).
    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name; public uint NameLength;
        public IoVec* Iov; public nuint IovLength;
        public void* Control; public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MMsgHdr { public MsgHdr Header; public uint Length; }
}
