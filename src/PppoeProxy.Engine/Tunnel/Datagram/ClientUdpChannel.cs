using System.Net.Sockets;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>
/// The client's side: a socket of its own, connected to the server (the kernel then drops
/// datagrams from anyone else). Datagrams without our marker and connection id are dropped here.
/// </summary>
internal sealed class ClientUdpChannel : UdpChannel
{
    private readonly byte[] _received = new byte[DatagramFormat.MaxReceiveDatagram + 1];

    public ClientUdpChannel(Socket socket, ulong connectionId, byte marker, int maxDatagram) : base(socket, connectionId, marker, maxDatagram) { }

    /// <summary>Datagrams dropped before DTLS: not ours (marker, connection id) or oversized.</summary>
    public long Foreign;

    private bool _portUnreachable;
    /// <summary>The server's host answered ICMP port unreachable at least once: nothing listened on the UDP port then.</summary>
    public bool PortUnreachable => Volatile.Read(ref _portUnreachable);

    /// <summary>
    /// Reads the socket's pending error (poll does not report it as readable, so a receive that only
    /// waited never saw it; BouncyCastle closes the socket when its handshake times out, so this runs
    /// at each wait that ends empty): true once the server's host answered ICMP port unreachable.
    /// </summary>
    public bool CheckPortUnreachable()
    {
        try
        {
            if (!IsClosed && Socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error) is int error
                && (SocketError)error == SocketError.ConnectionRefused)
                Volatile.Write(ref _portUnreachable, true);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        return PortUnreachable;
    }

    public override int Receive(Span<byte> buffer, int waitMillis)
    {
        long deadline = waitMillis > 0 ? Environment.TickCount64 + waitMillis : long.MaxValue;
        while (true)
        {
            try
            {
                if (waitMillis > 0)
                {
                    long left = deadline - Environment.TickCount64;
                    if (left <= 0 || !Socket.Poll((int)Math.Min(left, int.MaxValue / 1000) * 1000, SelectMode.SelectRead))
                    {
                        CheckPortUnreachable();
                        return -1;
                    }
                }
                int length = Socket.Receive(_received, SocketFlags.None);
                if (length > DatagramFormat.MaxReceiveDatagram
                    || !DatagramFormat.TryReadOuter(_received.AsSpan(0, length), out byte marker, out ulong id)
                    || marker != Marker || id != ConnectionId)
                {
                    Interlocked.Increment(ref Foreign);
                    continue;
                }
                int content = length - DatagramFormat.OuterHeaderSize;
                if (content > buffer.Length) continue;
                _received.AsSpan(DatagramFormat.OuterHeaderSize, content).CopyTo(buffer);
                return content;
            }
            // The server's port closed (ICMP unreachable): keep listening, keepalives decide when it is gone.
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                Volatile.Write(ref _portUnreachable, true);
                if (waitMillis > 0) continue;
                Thread.Sleep(50);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                throw new IOException(IsClosed ? "the tunnel's channel is closed" : $"receive failed: {e.Message}", e);
            }
        }
    }

    public override bool HasPending
    {
        get
        {
            try { return Socket.Available > 0; }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return false; }
        }
    }

    protected override void SendDatagram(ReadOnlySpan<byte> datagram) => Socket.Send(datagram, SocketFlags.None);

    protected override ReadOnlySpan<byte> BatchDestination => default; // connected

    public override void Close()
    {
        base.Close();
        try { Socket.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        Socket.Dispose();
    }
}
