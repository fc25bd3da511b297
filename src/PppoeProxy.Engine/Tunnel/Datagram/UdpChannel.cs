using System.Net.Sockets;
using System.Runtime.InteropServices;
using Org.BouncyCastle.Tls;
using PppoeProxy.Engine.Capture;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>
/// One association's datagrams, as BouncyCastle's <see cref="DatagramTransport"/> wants them (and
/// as the plain-text session uses them): every datagram sent gets the outer header (marker and
/// connection id); every datagram received has had it checked and removed. Where received
/// datagrams come from differs by end (a queue fed by the server's dispatcher, or the client's own
/// socket); sending is one <c>sendto</c> with the header written in front on the stack, or, between
/// <see cref="BeginBatch"/> and <see cref="EndBatch"/> on the link's writing thread, one
/// <c>sendmmsg</c> for up to 32 datagrams.
/// </summary>
internal abstract class UdpChannel : DatagramTransport
{
    private const int BatchDatagrams = 32;
    private int _closed;
    // The writer's batch (native memory, freed by its finalizer: Close may race the writer). Datagrams
    // from other threads (BouncyCastle's own, the reader's replies) are sent at once as before.
    private FrameBatch? _batch;
    private int _batchThread;
    // UDP GSO until the kernel says it cannot (EIO, EINVAL: older than 6.11 without checksum offload, or a route through IPsec).
    private bool _segment = true;

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
    /// <summary>Datagrams the kernel refused for lack of buffers (ENOBUFS): dropped.</summary>
    public long NoBuffers;

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
        if (_batchThread == Environment.CurrentManagedThreadId && _batch is { } batch)
        {
            if (!batch.TryAdd(datagram))
            {
                FlushBatch(batch);
                batch.TryAdd(datagram);
            }
            return;
        }
        try { SendDatagram(datagram); }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.MessageSize) { Interlocked.Increment(ref TooLarge); }
        // A peer's port that is gone answers with ICMP unreachable: a datagram tunnel just goes on (keepalives decide).
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable) { }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { throw new IOException($"send failed: {e.Message}", e); }
    }

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    /// <summary>One datagram's content after the outer header; -1 when <paramref name="waitMillis"/> (0: none) passed.</summary>
    public abstract int Receive(Span<byte> buffer, int waitMillis);

    /// <summary>Reader: a datagram is already there, so a receive now would not wait for the network.</summary>
    public abstract bool HasPending { get; }

    protected abstract void SendDatagram(ReadOnlySpan<byte> datagram);

    /// <summary>The socket batched datagrams leave from.</summary>
    protected virtual Socket SendSocket => Socket;

    /// <summary>The raw sockaddr every batched datagram goes to; empty for a connected socket.</summary>
    protected abstract ReadOnlySpan<byte> BatchDestination { get; }

    /// <summary>From now on this thread's datagrams wait in the batch until <see cref="EndBatch"/> (or 32 of them).</summary>
    public void BeginBatch()
    {
        _batch ??= new FrameBatch(BatchDatagrams, MaxDatagram);
        _batchThread = Environment.CurrentManagedThreadId;
    }

    /// <summary>Sends what the batch holds with one sendmmsg and stops batching.</summary>
    public void EndBatch()
    {
        _batchThread = 0;
        if (_batch is { Count: > 0 } batch) FlushBatch(batch);
    }

    // Why one syscall for many: each return from sendto was where the kernel switched to whoever its
    // datagram woke (perf: half the UDP writer's samples in finish_task_switch at 30 k datagrams/s).
    private void FlushBatch(FrameBatch batch)
    {
        var destination = BatchDestination;
        if (!destination.IsEmpty) batch.SetDestination(destination);
        int start = 0;
        try
        {
            while (start < batch.Count)
            {
                if (IsClosed) throw new IOException("the tunnel's channel is closed");
                int fd = (int)SendSocket.SafeHandle.DangerousGetHandle();
                bool segmented = _segment;
                int sent = segmented ? batch.SendSegmented(fd, start) : batch.Send(fd, start);
                if (sent > 0)
                {
                    start += sent;
                    continue;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (segmented && errno is not (Errno.Interrupted or Errno.WouldBlock))
                {
                    // One datagram at a time tells which one failed and why (counted below); GSO stays off where the kernel refuses it.
                    if (errno is Errno.InputOutput or Errno.InvalidArgument or Errno.NoProtocolOption) _segment = false;
                    sent = batch.Send(fd, start);
                    if (sent > 0)
                    {
                        start += sent;
                        continue;
                    }
                    errno = Marshal.GetLastPInvokeError();
                }
                switch (errno)
                {
                    case Errno.Interrupted: continue;
                    case Errno.WouldBlock: Socket.Poll(100_000, SelectMode.SelectWrite); continue;
                    case Errno.MessageSize: Interlocked.Increment(ref TooLarge); break;
                    case Errno.NoBuffers: Interlocked.Increment(ref NoBuffers); break;
                    case var icmp when Errno.IsPeerUnreachable(icmp): break;
                    default: throw new IOException($"send failed: {Marshal.GetPInvokeErrorMessage(errno)}");
                }
                start++; // that datagram is dropped (counted above); the rest still go
            }
        }
        catch (ObjectDisposedException e) { throw new IOException("send failed: the socket is closed", e); }
        finally { batch.Clear(); }
    }

    public virtual void Close()
    {
        Volatile.Write(ref _closed, 1);
    }
}
