using System.Net;
using System.Net.Sockets;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>
/// The server's side of one association: datagrams come from the dispatcher's queue, go out of the
/// shared socket to the peer's current address. The address changes only through
/// <see cref="Follow"/>, which the DTLS session calls once a record from the new source authenticated.
/// Once authenticated the association may get a socket of its own (<see cref="TryOwnSocket"/>): bound
/// to the listener's address and port (SO_REUSEPORT) and connected to the peer, so the kernel hands
/// the peer's datagrams to it and the reader takes them with recvmmsg, without the dispatcher's
/// recvfrom, copy and wake-up per datagram. The queue stays for what still reaches the listener
/// (a client that moved, until a record from its new address authenticates).
/// </summary>
internal sealed class ServerUdpChannel : UdpChannel
{
    private const int SoReusePort = 15, SolSocket = 1, SoRcvBufForce = 33;
    // The dispatcher's queue (2,048 datagrams) was depth on top of the shared socket's buffer: a reader off
    // its CPU for tens of ms on a busy box lost nothing. Its own socket gets that depth back as buffer,
    // past net.core.rmem_max where the server may (CAP_NET_ADMIN), else what SO_RCVBUF allows. 32 MiB, not
    // 8: the kernel charges each 1.4-kB datagram 2-4 kB, so 8 MiB held ~30 ms of 1514-B frames at 60k/s, and
    // the server still lost them while its reader was off its CPU (clean-path A/B, two pairs: 1514 B 60k/69k
    // -> 75k/73k loss-free, 64 B 218k/262k -> the generator's limit). Kernel memory only while the reader is
    // behind, for authenticated peers only (at most --max-tunnels of them).
    private const int OwnReceiveBufferBytes = 8 * TunnelHandshake.SocketBufferBytes;
    // Without a doorbell (no eventfd), the longest the reader sleeps on its own socket before it looks at
    // the queue again: only a moved client's first datagrams (at the listener until one authenticates) wait that long.
    private const int QueueCheckMillis = 50;
    private const int ReceiveBatchDatagrams = 32;
    private readonly byte[] _received = new byte[DatagramFormat.MaxReceiveDatagram];
    private SocketAddress _peer;
    private readonly SocketAddress _lastSource;
    private Socket? _own;
    private DatagramReceiveBatch? _inbound;
    // Rung by the queue (a datagram at the listener) and by Close: the reader sleeps in poll() on its own
    // socket and this, not in 50-ms slices (20 wake-ups a second per idle association).
    private Capture.Doorbell? _bell;

    public ServerUdpChannel(Socket socket, ulong connectionId, byte marker, int maxDatagram, SocketAddress peer, int queueSlots = DatagramQueue.DefaultSlots)
        : base(socket, connectionId, marker, maxDatagram)
    {
        _peer = Copy(peer);
        _lastSource = Copy(peer);
        Queue = new DatagramQueue(queueSlots, DatagramFormat.MaxReceiveDatagram, socket.AddressFamily);
    }

    public DatagramQueue Queue { get; }
    /// <summary>The link's counters once it exists: the dispatcher counts datagrams it could not queue there (QueueFull).</summary>
    public TunnelCounters? Counters { get; set; }
    /// <summary>Datagrams dropped for a full queue before the link existed (written by the dispatcher only).</summary>
    public long QueueFull;
    public SocketAddress Peer => Volatile.Read(ref _peer);
    public IPEndPoint PeerEndPoint => (IPEndPoint)new IPEndPoint(Socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0).Create(Peer);
    /// <summary>Where the datagram last handed to the reader came from.</summary>
    public SocketAddress LastSource => _lastSource;
    public bool LastSourceIsPeer => _lastSource.Equals(Peer);

    /// <summary>Makes the last datagram's source the peer's address; the caller vouches it authenticated.</summary>
    public IPEndPoint Follow()
    {
        Volatile.Write(ref _peer, Copy(_lastSource));
        // Its datagrams go to the own socket again from now on (they reached the listener since it moved).
        try { _own?.Connect(PeerEndPoint); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        return PeerEndPoint;
    }

    /// <summary>The association reads its own connected socket (tests, status).</summary>
    public bool HasOwnSocket => _own is not null;
    /// <summary>Counts a datagram the association's own socket dropped, by cause (the listener's refusal counters).</summary>
    public Action<string>? Refused { get; set; }

    /// <summary>
    /// Before the link's reader starts (handshake thread): gives the association its own socket, or
    /// leaves it on the queue (false) where the platform or the address does not allow it.
    /// <paramref name="handover"/>: datagrams that reached the new socket between its bind and its
    /// connect (from anyone): dropped, for the caller to count.
    /// </summary>
    public bool TryOwnSocket(IPEndPoint local, out int handover)
    {
        handover = 0;
        if (!OperatingSystem.IsLinux()) return false;
        var own = new Socket(Socket.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (Socket.AddressFamily == AddressFamily.InterNetworkV6) own.DualMode = Socket.DualMode;
            EnableReusePort(own);
            UdpHandshake.Tune(own);
            try { own.SetRawSocketOption(SolSocket, SoRcvBufForce, BitConverter.GetBytes(OwnReceiveBufferBytes)); }
            catch (SocketException) { } // not privileged: the 4 MiB Tune asked for (as far as rmem_max allows)
            own.Bind(local);
            own.Connect(PeerEndPoint);
            var from = new SocketAddress(own.AddressFamily);
            while (own.Available > 0)
            {
                own.ReceiveFrom(_received, SocketFlags.None, from);
                handover++;
            }
        }
        catch (SocketException)
        {
            own.Dispose();
            return false;
        }
        _inbound = new DatagramReceiveBatch(ReceiveBatchDatagrams, DatagramFormat.MaxReceiveDatagram + 1);
        _bell = Capture.Doorbell.TryCreate();
        Queue.Bell = _bell;
        _own = own;
        return true;
    }

    /// <summary>SO_REUSEPORT (same user only, unlike SO_REUSEADDR): the listener and every association's socket share the port.</summary>
    public static void EnableReusePort(Socket socket) => socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));

    public override int Receive(Span<byte> buffer, int waitMillis)
    {
        if (_own is not { } own) return ReceiveQueued(buffer, waitMillis);
        long deadline = waitMillis > 0 ? Environment.TickCount64 + waitMillis : long.MaxValue;
        try
        {
            while (true)
            {
                if (IsClosed) throw new IOException("the tunnel's channel is closed");
                if (Queue.HasPending)
                {
                    int queued = ReceiveQueued(buffer, 1);
                    if (queued >= 0) return queued;
                    continue;
                }
                if (_inbound!.HasNext || ReadOwn(own) > 0)
                {
                    var datagram = _inbound.Take(out bool truncated);
                    int content = datagram.Length - DatagramFormat.OuterHeaderSize;
                    if (truncated || datagram.Length > DatagramFormat.MaxReceiveDatagram || content > buffer.Length
                        || !DatagramFormat.TryReadOuter(datagram, out byte marker, out ulong id) || marker != Marker || id != ConnectionId)
                    {
                        Refused?.Invoke("udp-garbage"); // over the receive limit too: not one of ours
                        continue;
                    }
                    DatagramQueue.CopyAddress(Peer, _lastSource); // connected: only the peer's datagrams come here
                    datagram[DatagramFormat.OuterHeaderSize..].CopyTo(buffer);
                    return content;
                }
                long left = deadline - Environment.TickCount64;
                if (left <= 0) return -1;
                if (_bell is not { } bell) own.Poll((int)Math.Min(left, QueueCheckMillis) * 1000, SelectMode.SelectRead);
                else if (Queue.ArmBell())
                {
                    try { bell.Wait(own.SafeHandle, waitMillis > 0 ? (int)Math.Min(left, int.MaxValue) : -1); }
                    finally { Queue.DisarmBell(); }
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { throw new IOException(IsClosed ? "the tunnel's channel is closed" : $"receive failed: {e.Message}", e); }
    }

    // recvmmsg on the own socket without waiting; the handle is held so a Close on another thread cannot reuse the fd under it.
    private int ReadOwn(Socket own)
    {
        bool added = false;
        var handle = own.SafeHandle;
        try
        {
            handle.DangerousAddRef(ref added);
            while (true)
            {
                int read = _inbound!.Read((int)handle.DangerousGetHandle());
                if (read >= 0) return read;
                int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno == Capture.Errno.Interrupted || Capture.Errno.IsPeerUnreachable(errno)) continue;
                throw new IOException($"receive failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}");
            }
        }
        finally { if (added) handle.DangerousRelease(); }
    }

    private int ReceiveQueued(Span<byte> buffer, int waitMillis)
    {
        int length;
        try { length = Queue.Dequeue(_received, _lastSource, waitMillis); }
        catch (ObjectDisposedException) { throw new IOException("the tunnel's channel is closed"); }
        if (length < 0) return -1;
        int content = length - DatagramFormat.OuterHeaderSize;
        if (content > buffer.Length) return -1; // over the receive limit: not ours
        _received.AsSpan(DatagramFormat.OuterHeaderSize, content).CopyTo(buffer);
        return content;
    }

    public override bool HasPending
    {
        get
        {
            if (Queue.HasPending) return true;
            if (_own is not { } own) return false;
            if (_inbound!.HasNext) return true;
            try { return ReadOwn(own) > 0; }
            catch (Exception e) when (e is IOException or ObjectDisposedException) { return true; } // the next Receive reports it
        }
    }

    protected override Socket SendSocket => _own ?? Socket;

    protected override void SendDatagram(ReadOnlySpan<byte> datagram) => SendSocket.SendTo(datagram, SocketFlags.None, Peer);

    protected override ReadOnlySpan<byte> BatchDestination
    {
        get
        {
            var peer = Peer;
            return peer.Buffer.Span[..peer.Size];
        }
    }

    public override void Close()
    {
        base.Close();
        Queue.Close(); // rings the bell: a sleeping reader wakes and finds the channel closed
        _own?.Dispose();
        _bell?.Dispose(); // closed once the reader's wait (if any) let go of it
    }

    private static SocketAddress Copy(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        DatagramQueue.CopyAddress(address, copy);
        return copy;
    }
}
