using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Tunnel.Security;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>What a client is told when the handshake cannot work, over real loopback sockets.</summary>
public class TunnelHandshakeTests(TunnelIdentities ids) : IClassFixture<TunnelIdentities>
{
    [Fact]
    public async Task APlainTextClientAtATlsServerIsToldToDropInsecureNotBlamedOnItsCertificate()
    {
        using var listener = Loopback.Listen(out int port);
        var serverSecurity = new TunnelSecurity(ids.Server.Cert, new HashSet<string> { ids.Client.Fingerprint });
        var timeout = TimeSpan.FromSeconds(10);
        var connecting = TunnelHandshake.ConnectAsync("127.0.0.1", port, TunnelMode.V1, null, "plain-client",
            NullLogger.Instance, timeout, CancellationToken.None);
        using var accepted = await Task.Run(listener.Accept);
        await Assert.ThrowsAnyAsync<Exception>(() => TunnelHandshake.AcceptAsync(accepted, TunnelMode.V1, serverSecurity,
            CidrAllowList.LoopbackOnly, NullLogger.Instance, timeout, CancellationToken.None));
        accepted.Dispose();
        var error = await Assert.ThrowsAsync<TunnelHandshakeException>(() => connecting.WaitAsync(timeout));
        Assert.Contains("drop --insecure", error.Message);
        Assert.DoesNotContain("certificate not trusted", error.Message);
    }
}
