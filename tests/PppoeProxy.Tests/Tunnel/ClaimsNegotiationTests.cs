using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Tunnel.Security;
using PppoeProxy.Engine.Tunnel.Wire;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>
/// Claims are negotiated so that a new client works with an old server and vice versa: the hello
/// flag, the fallback a refused flag triggers, and links that skip record types they do not know.
/// </summary>
public class ClaimsNegotiationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ANewClientAndServerAgreeOnClaimsAndTheServerReceivesThem()
    {
        using var listener = Loopback.Listen(out int port);
        var connecting = TunnelHandshake.ConnectAsync("127.0.0.1", port, TunnelMode.V1, null, "lan", NullLogger.Instance, Timeout,
            CancellationToken.None, offerClaims: true);
        var accepted = await Task.Run(listener.Accept);
        using var server = await TunnelHandshake.AcceptAsync(accepted, TunnelMode.V1, null, CidrAllowList.LoopbackOnly,
            NullLogger.Instance, Timeout, CancellationToken.None);
        using var client = await connecting.WaitAsync(Timeout);
        Assert.True(server.ClaimsAgreed);
        Assert.True(client.ClaimsAgreed);

        var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.ClaimsHandler = (_, payload) => received.TrySetResult(payload.ToArray());
        server.Start((_, _) => { });
        client.Start((_, _) => { });
        var record = new byte[WireCodec.MaxRecordSize];
        var claim = new SessionClaim(MacAddress.Parse("02:00:00:00:0a:01"), MacAddress.Parse("00:1b:21:aa:00:01"), 7, Array.Empty<VlanTag>());
        client.SendClaims(record.AsSpan(0, WireCodec.WriteClaimsRecord(record, new[] { claim })));
        var payload = await received.Task.WaitAsync(Timeout);
        Assert.True(WireCodec.TryReadClaim(payload, 0, out var read));
        Assert.Equal((claim.Client, claim.Ac, claim.SessionId), (read.Client, read.Ac, read.SessionId));
        Assert.True(server.IsOpen);
    }

    [Fact]
    public async Task AServerThatPredatesClaimsRefusesTheFlagAndTheClientIsToldToDialWithout()
    {
        using var listener = Loopback.Listen(out int port);
        var connecting = TunnelHandshake.ConnectAsync("127.0.0.1", port, TunnelMode.V1, null, "lan", NullLogger.Instance, Timeout,
            CancellationToken.None, offerClaims: true);
        using var accepted = await Task.Run(listener.Accept);
        using var stream = new System.Net.Sockets.NetworkStream(accepted);
        // What servers before claims did: any flag bit makes the hello Malformed.
        var hello = await Loopback.ReadExactlyAsync(stream, WireHandshake.HeaderSize + 3);
        Assert.NotEqual(0, hello[6]);
        var reply = new byte[WireHandshake.MaxReplySize];
        await stream.WriteAsync(reply.AsMemory(0, WireHandshake.WriteReject(reply, HandshakeStatus.Malformed, "hello refused: Malformed")));
        var error = await Assert.ThrowsAsync<TunnelHandshakeException>(() => connecting.WaitAsync(Timeout));
        Assert.True(error.RejectedFlags);

        // A refusal of a hello without flags is no reason to retry.
        var plain = TunnelHandshake.ConnectAsync("127.0.0.1", port, TunnelMode.V1, null, "lan", NullLogger.Instance, Timeout, CancellationToken.None);
        using var second = await Task.Run(listener.Accept);
        using var secondStream = new System.Net.Sockets.NetworkStream(second);
        hello = await Loopback.ReadExactlyAsync(secondStream, WireHandshake.HeaderSize + 3);
        Assert.Equal(0, hello[6]);
        await secondStream.WriteAsync(reply.AsMemory(0, WireHandshake.WriteReject(reply, HandshakeStatus.Malformed, "hello refused: Malformed")));
        Assert.False((await Assert.ThrowsAsync<TunnelHandshakeException>(() => plain.WaitAsync(Timeout))).RejectedFlags);
    }

    [Fact]
    public async Task ALinkSkipsARecordTypeItDoesNotKnowAndKeepsReading()
    {
        var bytes = new List<byte>();
        bytes.AddRange(new byte[] { 0x77, 0, 0, 3, 1, 2, 3 }); // a later version's record
        var frame = new byte[WireCodec.MaxRecordSize];
        int frameSize = WireCodec.WriteFrameRecord(frame, new byte[60]);
        bytes.AddRange(frame[..frameSize]);
        var link = new TunnelLink(new StreamTunnelTransport(new MemoryStream(bytes.ToArray()), null, TunnelCodec.For(TunnelMode.V1)),
            "peer", null, NullLogger.Instance);
        var frames = 0;
        var closed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        link.Closed += (_, reason) => closed.TrySetResult(reason);
        link.Start((_, _) => Interlocked.Increment(ref frames));
        var reason = await closed.Task.WaitAsync(Timeout);
        Assert.Equal(1, frames);
        Assert.DoesNotContain("protocol error", reason);
    }
}
