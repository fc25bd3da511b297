using System.Net.Sockets;
using Org.BouncyCastle.Tls;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>
/// One association's datagrams, as BouncyCastle's <see cref="DatagramTransport"/> wants them (and
/// as the plain-text session uses them): every datagram sent gets the outer header (marker and
/// connection id); every datagram received has had it checked and removed. Where received
/// datagrams come from differs by end (a queue fed by the server's dispatcher, or the client's own
/// socket); sending is one <c>sendto</c> with the header written in front on the stack.
/// </summary>
internal abstract class UdpChannel : DatagramTransport
{
    private int _closed;

    protected UdpChannel(Socket socket, ulong connectionId, byte marker, int maxDatagram)
    {
        Socket = socket;
        ConnectionId = connectionId;
        Marker = marker;
        MaxDatagram = maxDatagram;
    }

    public Socket Socket { get; }
    public ulong ConnectionId { get; }
    public byte Marker { get; }
    public int MaxDatagram { get; }
    public bool IsClosed => Volatile.Read(ref _closed) == 1;
    /// <summary>Datagrams too large for the path (EMSGSIZE with DF set): dropped, never fragmented by IP.</summary>
    public long TooLarge;

    public int GetSendLimit() => MaxDatagram - DatagramFormat.OuterHeaderSize;
    public int GetReceiveLimit() => DatagramFormat.MaxReceiveDatagram - DatagramFormat.OuterHeaderSize;

    public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

    public void Send(ReadOnlySpan<byte> buffer)
    {
        if (IsClosed) throw new IOException("the tunnel's channel is closed");
        if (buffer.Length > GetSendLimit()) throw new IOException($"datagram of {buffer.Length} bytes over the limit of {GetSendLimit()}");
        Span<byte> datagram = stackalloc byte[DatagramFormat.OuterHeaderSize + buffer.Length];
        DatagramFormat.WriteOuter(datagram, Marker, ConnectionId);
        buffer.CopyTo(datagram[DatagramFormat.OuterHeaderSize..]);
        try { SendDatagram(datagram); }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.MessageSize) { Interlocked.Increment(ref TooLarge); }
        // A peer's port that is gone answers with ICMP unreachable: a datagram tunnel just goes on (keepalives decide).
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable) { }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { throw new IOException($"send failed: {e.Message}", e); }
    }

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    /// <summary>One datagram's content after the outer header; -1 when <paramref name="waitMillis"/> (0: none) passed.</summary>
    public abstract int Receive(Span<byte> buffer, int waitMillis);

    protected abstract void SendDatagram(ReadOnlySpan<byte> datagram);

    public virtual void Close()
    {
        Volatile.Write(ref _closed, 1);
    }
}
