using System.Net;
using System.Net.Sockets;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Tunnel.Security;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>
/// SslStream reads zero bytes before each record to wait for it without holding a buffer. The tunnel's
/// stream answers that wait itself (no MSG_PEEK recv, no second poll): it must still block until data
/// comes, take nothing from the socket, and let the end of the stream through to the next read.
/// </summary>
public class TunnelSocketStreamTests(TunnelIdentities ids) : IClassFixture<TunnelIdentities>
{
    [Fact]
    public void AZeroByteReadWaitsForDataAndTakesNoneOfIt()
    {
        var (stream, peer) = Pair();
        using var _ = stream;
        using var __ = peer;
        var waited = Task.Run(() => stream.Read(Span<byte>.Empty));
        Assert.False(waited.Wait(200), "a zero-byte read returned before any data came");
        peer.Send("abc"u8.ToArray());
        Assert.True(waited.Wait(5000), "a zero-byte read did not return when data came");
        Assert.Equal(0, waited.Result);
        var buffer = new byte[8];
        int read = stream.Read(buffer);
        Assert.Equal("abc", System.Text.Encoding.ASCII.GetString(buffer, 0, read));
        // The next read waits again: data seen once does not excuse later reads from polling.
        var next = Task.Run(() => stream.Read(buffer));
        Assert.False(next.Wait(200), "a read after the data was taken returned without new data");
        peer.Send("d"u8.ToArray());
        Assert.True(next.Wait(5000));
        Assert.Equal(1, next.Result);
    }

    [Fact]
    public void AfterAZeroByteReadTheEndOfTheStreamStillReadsAsZero()
    {
        var (stream, peer) = Pair();
        using var _ = stream;
        peer.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, stream.Read(Span<byte>.Empty));
        Assert.Equal(0, stream.Read(new byte[8]));
        peer.Dispose();
    }

    [Fact]
    public async Task TlsRecordsStillCrossAfterTheZeroByteReads()
    {
        var (stream, peer) = Pair();
        using var _ = stream;
        using var peerStream = new TunnelSocketStream(peer);
        var timeout = TimeSpan.FromSeconds(5);
        // Over these streams every await completes inline (blocking calls): each side on a thread of its own.
        var serverTask = Task.Run(() => TunnelTls.AuthenticateAsServerAsync(stream, ids.Server.Cert, new HashSet<string> { ids.Client.Fingerprint }, timeout, default));
        var clientTask = Task.Run(() => TunnelTls.AuthenticateAsClientAsync(peerStream, ids.Client.Cert, ids.Server.Fingerprint, timeout, default));
        var server = (await serverTask).Stream;
        var client = (await clientTask).Stream;
        var buffer = new byte[64];
        for (int i = 0; i < 50; i++)
        {
            client.Write(BitConverter.GetBytes(i));
            Assert.Equal(4, server.Read(buffer));
            Assert.Equal(i, BitConverter.ToInt32(buffer));
        }
        await server.DisposeAsync();
        await client.DisposeAsync();
    }

    private static (TunnelSocketStream Stream, Socket Peer) Pair()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        peer.Connect(listener.LocalEndPoint!);
        return (new TunnelSocketStream(listener.Accept()), peer);
    }
}
