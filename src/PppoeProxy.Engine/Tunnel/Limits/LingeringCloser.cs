using System.Collections.Concurrent;
using System.Net.Sockets;

namespace PppoeProxy.Engine.Tunnel.Limits;

/// <summary>
/// Refused sockets that were sent a Busy reply are half-closed and kept for a moment before the
/// close: closing with the peer's hello unread would send a reset, which can reach the client
/// before our reply and turn "server busy" into "connection reset". No thread per socket: the
/// server's 250 ms loop calls <see cref="CloseDue"/>. Bounded: past the cap, sockets close at once.
/// </summary>
public sealed class LingeringCloser
{
    private readonly ConcurrentQueue<(Socket Socket, long DueTicks)> _sockets = new();
    private readonly int _cap;
    private readonly long _lingerMs;
    private int _count;

    public LingeringCloser(int cap = 256, TimeSpan? linger = null)
    {
        _cap = cap;
        _lingerMs = (long)(linger ?? TimeSpan.FromSeconds(1)).TotalMilliseconds;
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>Sends <paramref name="reply"/> (never blocks: a fresh socket's send buffer is empty), half-closes, and keeps the socket for a moment.</summary>
    public void SendAndClose(Socket socket, ReadOnlySpan<byte> reply)
    {
        try
        {
            socket.Blocking = false;
            socket.Send(reply);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            socket.Dispose();
            return;
        }
        if (Interlocked.Increment(ref _count) > _cap)
        {
            Interlocked.Decrement(ref _count);
            Close(socket);
            return;
        }
        _sockets.Enqueue((socket, Environment.TickCount64 + _lingerMs));
    }

    /// <summary>Closes the sockets whose moment is over (all of them with <paramref name="all"/>).</summary>
    public void CloseDue(bool all = false)
    {
        long now = Environment.TickCount64;
        while (_sockets.TryPeek(out var next) && (all || next.DueTicks <= now) && _sockets.TryDequeue(out next))
        {
            Interlocked.Decrement(ref _count);
            Close(next.Socket);
        }
    }

    // Read what the peer sent (its hello) so the close is a FIN, not a reset.
    private static void Close(Socket socket)
    {
        try
        {
            var sink = new byte[256];
            while (socket.Available > 0 && socket.Receive(sink) > 0) { }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        socket.Dispose();
    }
}
