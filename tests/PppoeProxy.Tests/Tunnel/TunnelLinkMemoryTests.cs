using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Tunnel;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>
/// Per-link memory and threads on demand: an idle tunnel (the flood: 1,000 idle tunnels held
/// a 4 MiB ring, a 256 KiB read buffer and 2 threads each) holds one thread and one record's buffer;
/// load brings the ring, the sender thread and the big read buffer; the close lets the ring go.
/// </summary>
public class TunnelLinkMemoryTests
{
    [Fact]
    public async Task AnIdleLinkHoldsNoRingNoSenderThreadAndASmallReadBuffer()
    {
        var (a, b) = await LinkPairAsync();
        using var _ = a;
        using var __ = b;
        a.Start((_, _) => { });
        b.Start((_, _) => { });
        // b pings, a answers with a pong written on its reader thread: still no sender thread for a.
        Thread.Sleep(400); // so a fresh pong time stands out from the link's creation time
        b.SendPing();
        Assert.True(SpinWait.SpinUntil(() => b.SinceLastPong < TimeSpan.FromMilliseconds(300), 5000), "no pong came back");
        foreach (var link in new[] { a, b })
        {
            Assert.False(link.HasRingBuffer, $"{link.PeerName} allocated its ring while idle");
            Assert.False(link.HasSenderThread, $"{link.PeerName} started a sender thread while idle");
            Assert.True(link.ReadBufferSize < TunnelLink.ReadBufferBytes, $"{link.PeerName} reads into {link.ReadBufferSize} B while idle");
        }
    }

    [Fact]
    public async Task LoadBringsTheRingTheThreadAndTheBigReadBufferAndTheCloseLetsTheRingGo()
    {
        var (sender, receiver) = await LinkPairAsync();
        using var __ = receiver;
        long received = 0;
        receiver.Start((_, _) => Interlocked.Increment(ref received));
        sender.Start((_, _) => { });
        var frame = new byte[1500];
        int sent = 0;
        for (int i = 0; i < 20_000; i++) if (sender.TrySendFrame(frame, 0x8864)) sent++; // back to back: through the ring
        Assert.True(SpinWait.SpinUntil(() => Interlocked.Read(ref received) == sent, 30_000), $"{received} of {sent} frames arrived");
        Assert.True(sender.HasRingBuffer, "a burst went through no ring");
        Assert.True(sender.HasSenderThread, "a burst started no sender thread");
        Assert.Equal(TunnelLink.ReadBufferBytes, receiver.ReadBufferSize);

        sender.Close("test over");
        Assert.False(sender.HasRingBuffer, "the closed link still holds its ring");
    }

    private static async Task<(TunnelLink A, TunnelLink B)> LinkPairAsync()
    {
        using var listener = Loopback.Listen(out int port);
        var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        var accepting = Task.Run(listener.Accept);
        client.Connect(IPAddress.Loopback, port);
        var server = await accepting;
        foreach (var socket in new[] { client, server }) TunnelHandshake.Tune(socket);
        var codec = TunnelCodec.For(TunnelMode.V1);
        return (new TunnelLink(new StreamTunnelTransport(new TunnelSocketStream(client), client, codec), "a", null, NullLogger.Instance),
                new TunnelLink(new StreamTunnelTransport(new TunnelSocketStream(server), server, codec), "b", null, NullLogger.Instance));
    }
}
