using System.Net.Sockets;
using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// Records over a TCP stream: <see cref="TunnelSocketStream"/> (blocking calls, never the runtime's
/// epoll thread), under TLS when the tunnel is encrypted; the wire format is v1 or the legacy Go one.
/// </summary>
internal sealed class StreamTunnelTransport : CodecTunnelTransport
{
    private readonly Stream _stream;

    /// <param name="socket">The socket under <paramref name="stream"/>, to poll for writability and shut down; null for tests over a plain stream.</param>
    public StreamTunnelTransport(Stream stream, Socket? socket, TunnelCodec codec) : base(codec)
    {
        _stream = stream;
        Socket = socket;
    }

    internal Socket? Socket { get; }

    public override int Receive(Span<byte> buffer)
    {
        try { return _stream.Read(buffer); }
        catch (Exception error) when (IsCarrierFailure(error)) { throw Classified("connection lost", error); }
    }

    public override void Send(ReadOnlySpan<byte> records)
    {
        try { _stream.Write(records); }
        catch (Exception error) when (IsCarrierFailure(error)) { throw Classified("write failed", error); }
    }

    public override void Flush()
    {
        try { _stream.Flush(); }
        catch (Exception error) when (IsCarrierFailure(error)) { throw Classified("write failed", error); }
    }

    // Never block the capture thread on a full send buffer: without a socket to ask, say no.
    public override bool CanSendNow
    {
        get
        {
            try { return Socket is not null && Socket.Poll(0, SelectMode.SelectWrite); }
            catch (Exception error) when (IsCarrierFailure(error)) { return false; }
        }
    }

    public override void Shutdown()
    {
        try { Socket?.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        try { _stream.Dispose(); } catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException) { }
        try { Socket?.Dispose(); } catch (ObjectDisposedException) { }
    }

    public override void Dispose() => Shutdown();

    // The one place that decides which exceptions mean "the connection is gone".
    private static bool IsCarrierFailure(Exception error) =>
        error is IOException or ObjectDisposedException or SocketException or InvalidOperationException;

    private static TunnelTransportException Classified(string what, Exception error) => new($"{what}: {error.Message}", error);
}
