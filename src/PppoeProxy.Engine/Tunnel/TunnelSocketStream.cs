using System.Net.Sockets;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// The tunnel's NetworkStream (under SslStream when TLS is on). Every operation, the async ones
/// included, is a plain blocking call on the calling thread (reads wait in poll() first, in slices,
/// so cancellation and disposal are noticed). Why: one async socket call registers the socket with
/// the runtime's epoll thread for good, and from then on every segment that arrives wakes that
/// thread, which hands the event to a pool worker that spins looking for more work. perf sched under
/// bench/run.sh at 1,000 frames/s: three extra thread wake-ups per frame, ~1/3 of a core spent by
/// pool workers, multi-millisecond latency tails. Handshakes therefore run on a dedicated thread
/// (<see cref="TunnelHandshake"/>), where blocking is fine.
/// </summary>
internal sealed class TunnelSocketStream : NetworkStream
{
    // A waiting reader re-checks cancellation and disposal at least this often.
    private const int PollSliceMicros = 50_000;

    // Set when a wait already saw data (or EOF) that no receive has taken yet: the next read needs no poll.
    // Only the link's one reader thread reads.
    private bool _readableSeen;

    public TunnelSocketStream(Socket socket) : base(socket, ownsSocket: true) { }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    // The span overloads go to the socket themselves: NetworkStream sends them to Stream's fallback for any
    // derived type (it cannot know we did not override the array overloads), which rents a pooled array and
    // copies every byte through it: a copy per byte each way (SslStream reads and writes through these too),
    // and an allocation whenever the pool had no array that large (seen in TunnelLinkWriteTests).
    public override int Read(Span<byte> buffer)
    {
        if (!_readableSeen) WaitReadable(CancellationToken.None);
        // SslStream reads zero bytes first to learn that a record is coming before it takes a buffer: the
        // socket answers that with a one-byte MSG_PEEK recv, and the record's read then polled again. The wait
        // alone answers it: per TLS record two syscalls fewer than poll, peek, poll, recv.
        _readableSeen = buffer.IsEmpty;
        if (buffer.IsEmpty) return 0;
        int read = Socket.Receive(buffer, SocketFlags.None, out var error);
        return error == SocketError.Success ? read : throw Failed("read", error);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int sent = Socket.Send(buffer, SocketFlags.None, out var error);
            if (error != SocketError.Success) throw Failed("write", error);
            buffer = buffer[sent..];
        }
    }

    // As NetworkStream reports socket errors: an IOException around the SocketException.
    private static IOException Failed(string what, SocketError error) =>
        new($"Unable to {what} data on the transport connection: {new SocketException((int)error).Message}.", new SocketException((int)error));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_readableSeen) WaitReadable(cancellationToken);
        _readableSeen = true; // the wait above (or an earlier one) saw data: Read need not poll again
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // NetworkStream's Begin/End would call the socket's async API; route them through the blocking versions.
    public override IAsyncResult BeginRead(byte[] buffer, int offset, int count, AsyncCallback? callback, object? state) =>
        TaskToAsyncResult.Begin(ReadAsync(buffer, offset, count, CancellationToken.None), callback, state);

    public override int EndRead(IAsyncResult asyncResult) => TaskToAsyncResult.End<int>(asyncResult);

    public override IAsyncResult BeginWrite(byte[] buffer, int offset, int count, AsyncCallback? callback, object? state) =>
        TaskToAsyncResult.Begin(WriteAsync(buffer, offset, count, CancellationToken.None), callback, state);

    public override void EndWrite(IAsyncResult asyncResult) => TaskToAsyncResult.End(asyncResult);

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Readable also means EOF or an error: the Read that follows reports those as usual.
    private void WaitReadable(CancellationToken cancellationToken)
    {
        while (!Socket.Poll(PollSliceMicros, SelectMode.SelectRead)) cancellationToken.ThrowIfCancellationRequested();
        cancellationToken.ThrowIfCancellationRequested();
    }
}
