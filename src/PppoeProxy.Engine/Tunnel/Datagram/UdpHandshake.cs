using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Tls;
using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>
/// Sets up a UDP tunnel: DTLS 1.2 with pinned certificates (or nothing, --insecure), then the same v1
/// hello and reply as over TCP, each one datagram (kind 2), the hello sent again every second until
/// answered. One-line <see cref="TunnelHandshakeException"/>s for every refusal.
/// </summary>
public static class UdpHandshake
{
    /// <summary>A plain-text hello is padded to this, and the server answers none shorter: no amplification without DTLS's cookie.</summary>
    internal const int PlainHelloMinimum = 320;
    private const int HelloResendMillis = 1000;

    /// <summary>Client side; runs on a thread of its own (every call below blocks).</summary>
    public static Task<TunnelLink> ConnectAsync(string host, int port, TunnelSecurity? security, string clientName, ILogger logger,
        TimeSpan timeout, CancellationToken cancellationToken, bool offerClaims = false) =>
        Task.Factory.StartNew(() => Connect(host, port, security, clientName, logger, timeout, cancellationToken, offerClaims),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <param name="localAddress">Tests: the source address to send from (an attacker's, say); null: the kernel's choice.</param>
    internal static TunnelLink Connect(string host, int port, TunnelSecurity? security, string clientName, ILogger logger,
        TimeSpan timeout, CancellationToken cancellationToken, bool offerClaims, IPAddress? localAddress = null)
    {
        string server = $"{host}:{port}";
        IPAddress address;
        try { address = IPAddress.TryParse(host, out var literal) ? literal : Dns.GetHostAddresses(host).First(); }
        catch (Exception e) when (e is SocketException or InvalidOperationException) { throw new TunnelHandshakeException($"{server}: cannot resolve {host}: {e.Message}", e); }
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        Tune(socket);
        if (localAddress is not null) socket.Bind(new IPEndPoint(localAddress, 0));
        socket.Connect(new IPEndPoint(address, port));
        ulong id;
        do id = (ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue); while (id == 0);
        var channel = new ClientUdpChannel(socket, id, security is null ? DatagramFormat.MarkerPlain : DatagramFormat.MarkerDtls, DatagramFormat.DefaultMaxDatagram);
        int timeoutMillis = (int)Math.Max(1, timeout.TotalMilliseconds);
        PinnedDtlsClient? dtlsClient = null;
        IDatagramSession? session = null;
        using var cancel = cancellationToken.Register(channel.Close);
        try
        {
            if (security is not null)
            {
                var identity = new DtlsIdentity(security);
                dtlsClient = new PinnedDtlsClient(identity, security.TrustedFingerprints.First(), timeoutMillis);
                var watch = new DtlsReplayWatch(channel);
                var dtls = new DtlsClientProtocol().Connect(dtlsClient, watch);
                session = new DtlsDatagramSession(dtls, channel, watch);
                watch.Established = true;
                watch.ShortestRecord = DtlsReplayWatch.ShortestRecordOf(dtlsClient.CipherSuite);
            }
            else session = new PlainDatagramSession(channel);

            byte flags = offerClaims ? HelloFlags.SendsClaims : (byte)0;
            var hello = new byte[Math.Max(WireHandshake.MaxHelloSize, PlainHelloMinimum)];
            int helloLength = WireHandshake.WriteHello(hello, clientName, flags: flags);
            if (security is null) helloLength = PlainHelloMinimum; // zero padding after the hello
            var reply = ExchangeHello(session, hello.AsSpan(0, helloLength), timeoutMillis, cancellationToken)
                ?? throw new TunnelHandshakeException(security is null
                    ? NoAnswer(server, port, channel, timeout, $"{server}: no answer within {timeout.TotalSeconds:0.#} s (server down or not UDP, server using DTLS, or our address not allowed there)")
                    : $"{server}: no answer to our hello within {timeout.TotalSeconds:0.#} s");
            if (!reply.IsAccepted)
                throw new TunnelHandshakeException($"{server} {WireHandshake.Describe(reply)}")
                {
                    RejectedFlags = flags != 0 && reply.Status == HandshakeStatus.Malformed,
                };
            var transport = new DatagramTunnelTransport(session);
            var link = new TunnelLink(transport, server, dtlsClient?.PeerFingerprint, logger) { ClaimsAgreed = offerClaims };
            transport.Counters = link.Counters;
            return link;
        }
        catch (Exception error)
        {
            channel.CheckPortUnreachable(); // before the socket closes
            if (session is not null) session.Close(); else channel.Close();
            if (cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
            throw error switch
            {
                TunnelHandshakeException => error,
                _ when dtlsClient?.Refusal is { } refusal => new TunnelHandshakeException($"{server}: {refusal}", error),
                _ when dtlsClient?.AlertReceived is { } alert => new TunnelHandshakeException(
                    $"{server} refused the DTLS handshake ({AlertDescription.GetText(alert)}): our certificate not trusted there?", error),
                TlsTimeoutException => new TunnelHandshakeException(NoAnswer(server, port, channel, timeout,
                    $"{server}: no DTLS answer within {timeout.TotalSeconds:0.#} s (server down or not UDP, server --insecure, or our address not allowed there)"), error),
                IOException or SocketException => new TunnelHandshakeException($"{server}: {DatagramTunnelTransport.OneLine(error)}", error),
                _ => error,
            };
        }
    }

    /// <summary>Sends the hello until a reply comes back; null when none came in time.</summary>
    private static ServerReply? ExchangeHello(IDatagramSession session, ReadOnlySpan<byte> hello, int timeoutMillis, CancellationToken cancel)
    {
        var buffer = new byte[DatagramFormat.MaxReceiveDatagram];
        var unpacker = new DatagramUnpacker();
        long deadline = Environment.TickCount64 + timeoutMillis;
        while (Environment.TickCount64 < deadline && !cancel.IsCancellationRequested)
        {
            DatagramTunnelTransport.SendHandshake(session, hello);
            long resend = Math.Min(deadline, Environment.TickCount64 + HelloResendMillis);
            while (Environment.TickCount64 < resend)
            {
                int length = session.Receive(buffer, (int)Math.Max(1, resend - Environment.TickCount64));
                if (length < 0) break;
                if (unpacker.Accept(buffer.AsSpan(0, length), out var content) == UnpackResult.Handshake
                    && WireHandshake.TryReadReply(content, out var reply, out _))
                    return reply;
            }
        }
        return null;
    }

    /// <summary>
    /// Server side of one association whose first datagram passed the cookie check (DTLS) or was a
    /// padded hello (plain). <paramref name="admit"/> as in <see cref="TunnelHandshake.AcceptAsync"/>.
    /// </summary>
    internal static TunnelLink Accept(ServerUdpChannel channel, DtlsRequest? request, DtlsIdentity? identity, string peer,
        ILogger logger, TimeSpan timeout, Func<string?> admit)
    {
        int timeoutMillis = (int)Math.Max(1, timeout.TotalMilliseconds);
        PinnedDtlsServer? dtlsServer = null;
        IDatagramSession? session = null;
        try
        {
            if (identity is not null)
            {
                dtlsServer = new PinnedDtlsServer(identity, timeoutMillis);
                var watch = new DtlsReplayWatch(channel);
                var dtls = new DtlsServerProtocol().Accept(dtlsServer, watch, request);
                session = new DtlsDatagramSession(dtls, channel, watch);
                watch.Established = true;
                watch.ShortestRecord = DtlsReplayWatch.ShortestRecordOf(dtlsServer.CipherSuite);
            }
            else session = new PlainDatagramSession(channel);

            var buffer = new byte[DatagramFormat.MaxReceiveDatagram];
            var unpacker = new DatagramUnpacker();
            long deadline = Environment.TickCount64 + timeoutMillis;
            Wire.ClientHello hello = default;
            HandshakeStatus verdict = HandshakeStatus.Malformed;
            bool heard = false;
            while (!heard)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0) throw new TunnelHandshakeException($"rejected {peer}: no hello within {timeout.TotalSeconds:0.#} s");
                int length = session.Receive(buffer, (int)left);
                if (length < 0) continue;
                if (unpacker.Accept(buffer.AsSpan(0, length), out var content) != UnpackResult.Handshake) continue;
                if (identity is null && length < PlainHelloMinimum) continue;
                // A hello is one datagram: one that is cut short is as malformed as a wrong one.
                if (!WireHandshake.TryReadHello(content, out verdict, out hello, out _)) verdict = HandshakeStatus.Malformed;
                heard = true;
            }
            var reply = new byte[WireHandshake.MaxReplySize];
            if (verdict != HandshakeStatus.Accepted)
            {
                DatagramTunnelTransport.SendHandshake(session, reply.AsSpan(0, WireHandshake.WriteReject(reply, verdict, $"hello refused: {verdict}")));
                throw new TunnelHandshakeException($"rejected {peer}: bad hello ({verdict})");
            }
            if (admit() is { } busy)
            {
                DatagramTunnelTransport.SendHandshake(session, reply.AsSpan(0, TunnelHandshake.WriteBusy(reply, busy)));
                throw new TunnelHandshakeException($"refused {peer}: {busy}", cause: "refused-busy");
            }
            int accepted = WireHandshake.WriteAccept(reply);
            DatagramTunnelTransport.SendHandshake(session, reply.AsSpan(0, accepted));
            var transport = new DatagramTunnelTransport(session, reply.AsSpan(0, accepted));
            string name = hello.ClientName.Length > 0 ? $"{peer} ({hello.ClientName})" : peer;
            var link = new TunnelLink(transport, name, dtlsServer?.PeerFingerprint, logger) { ClaimsAgreed = hello.SendsClaims };
            transport.Counters = link.Counters;
            return link;
        }
        catch (Exception error)
        {
            if (session is not null) session.Close(); else channel.Close();
            throw error switch
            {
                TunnelHandshakeException => error,
                _ when dtlsServer?.Refusal is { } refusal => new TunnelHandshakeException($"rejected {peer}: {refusal}", error),
                // The client's alert, not ours: saying only "rejected PEER: bad_certificate(42)" read as if the client's certificate were bad.
                _ when dtlsServer?.AlertReceived is { } alert => new TunnelHandshakeException(RefusedByClient(peer, alert, identity!.OwnFingerprint), error),
                TlsTimeoutException => new TunnelHandshakeException($"rejected {peer}: DTLS handshake not completed within {timeout.TotalSeconds:0.#} s", error),
                IOException or SocketException => new TunnelHandshakeException($"rejected {peer}: {DatagramTunnelTransport.OneLine(error)}", error),
                _ => error,
            };
        }
    }

    /// <summary>The server's line when the client ended the handshake with a fatal alert.</summary>
    internal static string RefusedByClient(string peer, short alert, string ourFingerprint) =>
        alert is AlertDescription.bad_certificate or AlertDescription.certificate_unknown or AlertDescription.unsupported_certificate
            ? $"rejected {peer}: the client refused this server's certificate ({AlertDescription.GetText(alert)}): it must pin {ourFingerprint} (--trust / -TrustedFingerprint)"
            : $"rejected {peer}: the client ended the DTLS handshake ({AlertDescription.GetText(alert)})";

    /// <summary>What "no answer" means when the server's host said nothing listens on that UDP port.</summary>
    private static string NoAnswer(string server, int port, ClientUdpChannel channel, TimeSpan timeout, string otherwise) =>
        channel.CheckPortUnreachable()
            ? $"{server}: nothing listens on UDP port {port} there (ICMP port unreachable, no answer within {timeout.TotalSeconds:0.#} s): server down, or not started with -Transport Udp / --transport udp"
            : otherwise;

    internal static void Tune(Socket socket)
    {
        socket.SendBufferSize = TunnelHandshake.SocketBufferBytes;
        socket.ReceiveBufferSize = TunnelHandshake.SocketBufferBytes;
        // Our own fragment header splits what the path cannot carry: IP must never fragment (issue 14).
        try { if (socket.AddressFamily == AddressFamily.InterNetwork) socket.DontFragment = true; }
        catch (Exception e) when (e is SocketException or NotSupportedException) { }
    }
}
