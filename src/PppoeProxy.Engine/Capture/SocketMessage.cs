using System.Runtime.InteropServices;

namespace PppoeProxy.Engine.Capture;

/// <summary>
/// The kernel's struct iovec, msghdr and mmsghdr for 64-bit Linux (natural alignment gives the C layout:
/// 16, 56 and 64 bytes), shared by sendmmsg (<see cref="FrameBatch"/>) and recvmmsg (DatagramReceiveBatch).
/// </summary>
internal static unsafe class SocketMessage
{
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec { public byte* Base; public nuint Length; }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name; public uint NameLength;
        public IoVec* Iov; public nuint IovLength;
        public void* Control; public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MMsgHdr { public MsgHdr Header; public uint Length; }
}
