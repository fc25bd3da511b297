namespace PppoeProxy.Engine.Capture;

/// <summary>The Linux errno values our own syscalls (sendmmsg on packet and UDP sockets) tell apart.</summary>
internal static class Errno
{
    public const int InputOutput = 5, InvalidArgument = 22, NoProtocolOption = 92, Interrupted = 4, WouldBlock = 11, MessageSize = 90, NetworkUnreachable = 101, NoBuffers = 105, ConnectionRefused = 111, HostUnreachable = 113;

    /// <summary>
    /// An ICMP error for an earlier datagram (the peer's port or host gone), reported on a later send or
    /// receive of a UDP socket: a datagram tunnel goes on and its keepalives decide.
    /// </summary>
    public static bool IsPeerUnreachable(int errno) => errno is ConnectionRefused or HostUnreachable or NetworkUnreachable;
}
