using System.Runtime.InteropServices;

using static PppoeProxy.Engine.Capture.SocketMessage;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>
/// Datagrams read with one recvmmsg() from a connected socket, handed out one by one. Why: one
/// recvfrom per datagram was a syscall per 1514-B frame on the server. Native memory allocated once
/// (no per-datagram allocation, nothing for the GC to move under the kernel); one reader thread only.
/// No source addresses: the socket is connected, the kernel gives it its peer's datagrams only.
/// </summary>
internal sealed unsafe class DatagramReceiveBatch : IDisposable
{
    private const int MsgDontWait = 0x40;
    private readonly int _slotBytes;
    private byte* _data;
    private IoVec* _iov;
    private MMsgHdr* _msgs;
    private int _next;

    public DatagramReceiveBatch(int capacity, int slotBytes)
    {
        Capacity = capacity;
        _slotBytes = slotBytes;
        _data = (byte*)NativeMemory.Alloc((nuint)(capacity * slotBytes));
        _iov = (IoVec*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(IoVec)));
        _msgs = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(MMsgHdr)));
        for (int i = 0; i < capacity; i++)
        {
            _iov[i].Base = _data + (long)i * slotBytes;
            _iov[i].Length = (nuint)slotBytes;
            _msgs[i].Header.Iov = &_iov[i];
            _msgs[i].Header.IovLength = 1;
        }
    }

    ~DatagramReceiveBatch() => Free();

    public int Capacity { get; }
    /// <summary>Datagrams the last read brought.</summary>
    public int Count { get; private set; }
    public bool HasNext => _next < Count;

    /// <summary>recvmmsg without waiting: datagrams read (then <see cref="Take"/> them), 0 when none waits, -1 on an error (errno kept).</summary>
    public int Read(int fd)
    {
        _next = 0;
        Count = 0;
        if (_msgs == null) return -1;
        for (int i = 0; i < Capacity; i++) _msgs[i].Header.Flags = 0;
        int read = RecvMmsg(fd, _msgs, (uint)Capacity, MsgDontWait, null);
        if (read < 0) return Marshal.GetLastPInvokeError() == Capture.Errno.WouldBlock ? 0 : -1;
        Count = read;
        return read;
    }

    /// <summary>The next datagram read; <paramref name="truncated"/> when it was larger than a slot.</summary>
    public ReadOnlySpan<byte> Take(out bool truncated)
    {
        int i = _next++;
        truncated = (_msgs[i].Header.Flags & 0x20) != 0; // MSG_TRUNC
        return new ReadOnlySpan<byte>(_iov[i].Base, (int)Math.Min(_msgs[i].Length, (uint)_slotBytes));
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        NativeMemory.Free(_data); _data = null;
        NativeMemory.Free(_iov); _iov = null;
        NativeMemory.Free(_msgs); _msgs = null;
        Count = 0;
    }

    [DllImport("libc.so.6", EntryPoint = "recvmmsg", SetLastError = true)] // as FrameBatch: "libc.so" is only a linker script
    private static extern int RecvMmsg(int fd, MMsgHdr* messages, uint count, int flags, void* timeout);
}
