using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using PppoeProxy.Engine.Tunnel.Security;
using Xunit;

namespace PppoeProxy.Tests.Tunnel.Security;

public class TunnelTlsTests : IClassFixture<TunnelIdentities>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly TunnelIdentities _ids;

    public TunnelTlsTests(TunnelIdentities ids) => _ids = ids;

    private IReadOnlySet<string> TrustClient => new HashSet<string> { _ids.Client.Fingerprint };

    public static TheoryData<string> Addresses => new() { "127.0.0.1", "::1" };

    [Theory]
    [MemberData(nameof(Addresses))]
    public async Task MutualAuthenticationSucceedsBothWaysAndDataFlows(string address)
    {
        var (serverTcp, clientTcp) = await Loopback.ConnectAsync(IPAddress.Parse(address));
        var serverTask = TunnelTls.AuthenticateAsServerAsync(serverTcp, _ids.Server.Cert, TrustClient, Timeout, default);
        var clientTask = TunnelTls.AuthenticateAsClientAsync(clientTcp, _ids.Client.Cert, _ids.Server.Fingerprint.ToUpperInvariant(), Timeout, default);
        await using var server = (await serverTask).Stream;
        var clientSession = await clientTask;
        await using var client = clientSession.Stream;

        Assert.Equal(_ids.Client.Fingerprint, (await serverTask).PeerFingerprint);
        Assert.Equal(_ids.Server.Fingerprint, clientSession.PeerFingerprint);
        Assert.Equal(SslProtocols.Tls13, server.SslProtocol);
        Assert.Equal(SslProtocols.Tls13, client.SslProtocol);

        await client.WriteAsync("hello server"u8.ToArray());
        Assert.Equal("hello server", Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(server, 12)));
        await server.WriteAsync("hello client"u8.ToArray());
        Assert.Equal("hello client", Encoding.ASCII.GetString(await Loopback.ReadExactlyAsync(client, 12)));
    }

    [Fact]
    public async Task ServerRejectsAClientWhoseCertificateIsNotTrusted()
    {
        var (serverTcp, clientTcp) = await Loopback.ConnectAsync(IPAddress.Loopback);
        var serverTask = TunnelTls.AuthenticateAsServerAsync(serverTcp, _ids.Server.Cert, TrustClient, Timeout, default);
        var clientTask = TunnelTls.AuthenticateAsClientAsync(clientTcp, _ids.Stranger.Cert, _ids.Server.Fingerprint, Timeout, default);

        var error = await Assert.ThrowsAsync<TunnelTlsException>(() => serverTask);
        Assert.Equal(TunnelTlsFailure.UntrustedPeer, error.Failure);
        Assert.Equal($"client certificate {_ids.Stranger.Fingerprint} is not trusted", error.Message);
        Assert.Equal(_ids.Stranger.Fingerprint, error.PeerFingerprint);

        // TLS 1.3: the client may finish its side first, but it must never get a working tunnel.
        bool clientGotData = false;
        try
        {
            await using var client = (await clientTask).Stream;
            var buffer = new byte[16];
            clientGotData = await client.ReadAsync(buffer).AsTask().WaitAsync(Timeout) > 0;
        }
        catch (Exception e) when (e is TunnelTlsException or IOException or AuthenticationException) { }
        Assert.False(clientGotData);
    }

    [Fact]
    public async Task ClientRefusesAServerWhoseFingerprintIsNotThePinnedOne()
    {
        var (serverTcp, clientTcp) = await Loopback.ConnectAsync(IPAddress.Loopback);
        var serverTask = TunnelTls.AuthenticateAsServerAsync(serverTcp, _ids.Stranger.Cert, TrustClient, Timeout, default);
        var clientTask = TunnelTls.AuthenticateAsClientAsync(clientTcp, _ids.Client.Cert, _ids.Server.Fingerprint, Timeout, default);

        var error = await Assert.ThrowsAsync<TunnelTlsException>(() => clientTask);
        Assert.Equal(TunnelTlsFailure.FingerprintMismatch, error.Failure);
        Assert.StartsWith($"server certificate fingerprint mismatch: expected {_ids.Server.Fingerprint}, got {_ids.Stranger.Fingerprint} (", error.Message);
        Assert.Contains("--trust", error.Message);
        // The client checks after its side of the handshake, so the server may see success and
        // then an end of stream; either way it never gets data.
        bool serverGotData = false;
        try
        {
            await using var server = (await serverTask).Stream;
            serverGotData = await server.ReadAsync(new byte[16]).AsTask().WaitAsync(Timeout) > 0;
        }
        catch (TunnelTlsException e) { Assert.Equal(TunnelTlsFailure.HandshakeFailed, e.Failure); }
        catch (Exception e) when (e is IOException or AuthenticationException) { }
        Assert.False(serverGotData);
    }

    [Fact]
    public async Task AClientThatNeverStartsTlsHitsTheHandshakeTimeout()
    {
        var (serverTcp, clientTcp) = await Loopback.ConnectAsync(IPAddress.Loopback);
        using var _ = clientTcp;
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<TunnelTlsException>(() =>
            TunnelTls.AuthenticateAsServerAsync(serverTcp, _ids.Server.Cert, TrustClient, TimeSpan.FromMilliseconds(300), default));
        Assert.Equal(TunnelTlsFailure.TimedOut, error.Failure);
        Assert.Equal("TLS handshake timed out after 300 ms", error.Message);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(4));
        // The failed connection is closed for the peer too.
        Assert.Equal(0, await clientTcp.ReadAsync(new byte[1]).AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public async Task CallerCancellationIsNotReportedAsATimeout()
    {
        var (serverTcp, clientTcp) = await Loopback.ConnectAsync(IPAddress.Loopback);
        using var _ = clientTcp;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            TunnelTls.AuthenticateAsServerAsync(serverTcp, _ids.Server.Cert, TrustClient, Timeout, cts.Token));
    }

    [Fact]
    public async Task AClientWithoutACertificateIsRejected()
    {
        var (serverTcp, clientTcp) = await Loopback.ConnectAsync(IPAddress.Loopback);
        var serverTask = TunnelTls.AuthenticateAsServerAsync(serverTcp, _ids.Server.Cert, TrustClient, Timeout, default);
        await using var raw = new SslStream(clientTcp, false, (_, _, _, _) => true);
        var clientTask = raw.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "pppoeproxy",
            EnabledSslProtocols = SslProtocols.Tls13,
        });
        var error = await Assert.ThrowsAsync<TunnelTlsException>(() => serverTask);
        Assert.Equal(TunnelTlsFailure.NoPeerCertificate, error.Failure);
        Assert.Equal("client sent no certificate", error.Message);
        try { await clientTask; } catch (Exception e) when (e is AuthenticationException or IOException) { }
    }

    [Fact]
    public async Task ATls12OnlyClientCannotConnect()
    {
        var (serverTcp, clientTcp) = await Loopback.ConnectAsync(IPAddress.Loopback);
        var serverTask = TunnelTls.AuthenticateAsServerAsync(serverTcp, _ids.Server.Cert, TrustClient, Timeout, default);
        await using var raw = new SslStream(clientTcp, false, (_, _, _, _) => true);
        var clientTask = raw.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "pppoeproxy",
            EnabledSslProtocols = SslProtocols.Tls12,
            LocalCertificateSelectionCallback = (_, _, _, _, _) => _ids.Client.Cert,
        });
        var error = await Assert.ThrowsAsync<TunnelTlsException>(() => serverTask);
        Assert.Equal(TunnelTlsFailure.HandshakeFailed, error.Failure);
        Assert.StartsWith("TLS handshake with client failed: ", error.Message);
        await Assert.ThrowsAnyAsync<Exception>(() => clientTask);
    }

    [Fact]
    public async Task BytesOnTheWireDoNotContainThePlaintext()
    {
        byte[] marker = Encoding.ASCII.GetBytes("PLAINTEXT-MARKER-" + Guid.NewGuid().ToString("n"));
        var (serverTcp, clientTcp) = await Loopback.ConnectAsync(IPAddress.Loopback);
        var wire = new RecordingStream(clientTcp);
        var serverTask = TunnelTls.AuthenticateAsServerAsync(serverTcp, _ids.Server.Cert, TrustClient, Timeout, default);
        var clientTask = TunnelTls.AuthenticateAsClientAsync(wire, _ids.Client.Cert, _ids.Server.Fingerprint, Timeout, default);
        await using var server = (await serverTask).Stream;
        await using var client = (await clientTask).Stream;

        for (int i = 0; i < 10; i++) await client.WriteAsync(marker);
        await client.FlushAsync();
        for (int i = 0; i < 10; i++) Assert.Equal(marker, await Loopback.ReadExactlyAsync(server, marker.Length));

        byte[] written = wire.Written;
        Assert.True(written.Length > 10 * marker.Length, "the recorder saw less than the data sent");
        Assert.Equal(-1, written.AsSpan().IndexOf(marker));
        Assert.Equal(-1, written.AsSpan().IndexOf("PLAINTEXT-MARKER"u8));
    }
}
