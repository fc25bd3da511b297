using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace PppoeProxy.Engine.Tunnel.Security;

/// <summary>
/// TLS 1.3 with mutual authentication where trust is exactly "the peer's certificate fingerprint
/// is pinned" (as with WireGuard keys): no CA chain, names or expiry are checked, so self-signed
/// identities made by <see cref="CertificateFiles.Create"/> work and nothing else does.
/// </summary>
/// <remarks>
/// The returned SslStream owns <c>inner</c>; on any failure <c>inner</c> is disposed, since a
/// connection that failed its handshake is useless. In TLS 1.3 (and with .NET validating after
/// OpenSSL finishes) each side may complete before the other has judged its certificate: a
/// refused peer can see success here and then an error or end of stream on its first read, so
/// treat the first application message (the wire hello/reply) as the real confirmation.
/// </remarks>
public static class TunnelTls
{
    private const string ServerName = "pppoeproxy";

    public static Task<TunnelTlsSession> AuthenticateAsServerAsync(Stream inner, X509Certificate2 serverCert,
        IReadOnlySet<string> trustedClientFingerprints, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serverCert);
        ArgumentNullException.ThrowIfNull(trustedClientFingerprints);
        var check = new PeerCheck("client", fp => trustedClientFingerprints.Contains(fp)
            ? null
            : new TunnelTlsException(TunnelTlsFailure.UntrustedPeer, $"client certificate {fp} is not trusted", fp));
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(serverCert, null, offline: true),
            ClientCertificateRequired = true,
            EnabledSslProtocols = SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = check.Validate,
        };
        return AuthenticateAsync(inner, check, timeout, "client", cancellationToken,
            (ssl, token) => ssl.AuthenticateAsServerAsync(options, token));
    }

    public static Task<TunnelTlsSession> AuthenticateAsClientAsync(Stream inner, X509Certificate2 clientCert,
        string trustedServerFingerprint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientCert);
        string pinned = Fingerprint.Parse(trustedServerFingerprint);
        var check = new PeerCheck("server", fp => fp == pinned
            ? null
            : new TunnelTlsException(TunnelTlsFailure.FingerprintMismatch,
                $"server certificate fingerprint mismatch: expected {pinned}, got {fp} (if the server's certificate is the right one, pin that fingerprint with --trust / -TrustedFingerprint; otherwise you reached another server)", fp));
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = ServerName,
            EnabledSslProtocols = SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            // Always present our certificate: the default selection would skip it when the
            // server's acceptable-issuer list does not name its (self-signed) issuer.
            LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCert,
            RemoteCertificateValidationCallback = check.Validate,
        };
        return AuthenticateAsync(inner, check, timeout, "server", cancellationToken,
            (ssl, token) => ssl.AuthenticateAsClientAsync(options, token));
    }

    private static async Task<TunnelTlsSession> AuthenticateAsync(Stream inner, PeerCheck check, TimeSpan timeout,
        string peerRole, CancellationToken cancellationToken, Func<SslStream, CancellationToken, Task> authenticate)
    {
        ArgumentNullException.ThrowIfNull(inner);
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            // WaitAsync as well as the token: not every inner stream honours cancellation.
            await authenticate(ssl, timer.Token).WaitAsync(timer.Token).ConfigureAwait(false);
            if (check.Error is not null) throw check.Error;
            if (check.PeerFingerprint is null)
                throw new TunnelTlsException(TunnelTlsFailure.NoPeerCertificate, $"{peerRole} sent no certificate");
            return new TunnelTlsSession(ssl, check.PeerFingerprint);
        }
        catch (Exception e)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            if (e is TunnelTlsException) throw;
            if (cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
            if (e is OperationCanceledException)
                throw new TunnelTlsException(TunnelTlsFailure.TimedOut, $"TLS handshake timed out after {Describe(timeout)}", check.PeerFingerprint, e);
            // The validation callback's verdict explains a rejection better than SslStream's text.
            if (check.Error is not null) throw check.Error;
            if (e is AuthenticationException or IOException or ObjectDisposedException)
                throw new TunnelTlsException(TunnelTlsFailure.HandshakeFailed,
                    $"TLS handshake with {peerRole} failed: {OneLine(e)}", check.PeerFingerprint, e);
            throw;
        }
    }

    private static string Describe(TimeSpan t) =>
        t.TotalSeconds >= 1 ? $"{t.TotalSeconds:0.###} s" : $"{t.TotalMilliseconds:0} ms";

    private static string OneLine(Exception e)
    {
        // SslStream wraps the useful reason (e.g. "peer closed") one level down.
        string message = e.InnerException is { } inner && e is AuthenticationException ? $"{e.Message} ({inner.Message})" : e.Message;
        return message.ReplaceLineEndings(" ");
    }

    /// <summary>Runs inside SslStream's callback and keeps the verdict so the failure can be explained.</summary>
    private sealed class PeerCheck
    {
        private readonly string _role;
        private readonly Func<string, TunnelTlsException?> _judge;

        public PeerCheck(string role, Func<string, TunnelTlsException?> judge) => (_role, _judge) = (role, judge);

        public string? PeerFingerprint { get; private set; }
        public TunnelTlsException? Error { get; private set; }

        public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            // Chain and name errors are expected with self-signed pinned certificates and ignored.
            if (certificate is null)
            {
                Error = new TunnelTlsException(TunnelTlsFailure.NoPeerCertificate, $"{_role} sent no certificate");
                return false;
            }
            PeerFingerprint = Fingerprint.Of(certificate);
            Error = _judge(PeerFingerprint);
            return Error is null;
        }
    }
}
