using System.Net.Sockets;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// The tunnel's NetworkStream (under SslStream when TLS is on). Synchronous reads wait in poll() on
/// the reading thread before receiving. Why: the handshake's async calls leave the socket in .NET's
/// non-blocking mode for good, and a plain sync Read that finds no data then parks on an event the
/// runtime's epoll thread sets through the thread pool: bench/run.sh measured ~365,000 context
/// switches/s among the server's pool workers at 100,000 frames/s. poll() needs no other thread.
/// Async reads (the handshake) are untouched.
/// </summary>
internal sealed class TunnelSocketStream : NetworkStream
{
    // A reader re-checks at least this often, so a disposed socket never leaves it waiting.
    private const int PollSliceMicros = 500_000;

    public TunnelSocketStream(Socket socket) : base(socket, ownsSocket: true) { }

    public override int Read(byte[] buffer, int offset, int count)
    {
        WaitReadable();
        return base.Read(buffer, offset, count);
    }

    public override int Read(Span<byte> buffer)
    {
        WaitReadable();
        return base.Read(buffer);
    }

    // Readable also means EOF or an error: the Read that follows reports those as usual.
    private void WaitReadable()
    {
        while (!Socket.Poll(PollSliceMicros, SelectMode.SelectRead)) { }
    }
}
