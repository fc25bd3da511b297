using System.Net;
using System.Net.Sockets;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>
/// The server's side of one association: datagrams come from the dispatcher's queue, go out of the
/// shared socket to the peer's current address. The address changes only through
/// <see cref="Follow"/>, which the DTLS session calls once a record from the new source authenticated.
/// </summary>
internal sealed class ServerUdpChannel : UdpChannel
{
    private readonly byte[] _received = new byte[DatagramFormat.MaxReceiveDatagram];
    private SocketAddress _peer;
    private readonly SocketAddress _lastSource;

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
        return PeerEndPoint;
    }

    public override int Receive(Span<byte> buffer, int waitMillis)
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

    public override bool HasPending => Queue.HasPending;

    protected override void SendDatagram(ReadOnlySpan<byte> datagram) => Socket.SendTo(datagram, SocketFlags.None, Peer);

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
        Queue.Close();
    }

    private static SocketAddress Copy(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        DatagramQueue.CopyAddress(address, copy);
        return copy;
    }
}
