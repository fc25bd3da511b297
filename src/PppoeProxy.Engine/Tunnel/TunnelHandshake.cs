using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Tunnel.Security;
using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>Turns a connected socket into a <see cref="TunnelLink"/>: allow-list, TLS with pinning, version handshake.</summary>
public static class TunnelHandshake
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);
    public const int SocketBufferBytes = 4 * 1024 * 1024;

    public static void Tune(Socket socket)
    {
        // We coalesce frames ourselves; Nagle would only add latency on top.
        socket.NoDelay = true;
        socket.SendBufferSize = SocketBufferBytes;
        socket.ReceiveBufferSize = SocketBufferBytes;
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
    }

    /// <summary>Server side. Throws <see cref="TunnelHandshakeException"/> with the reason when the peer is refused.</summary>
    /// <param name="admit">Asked once the peer is known good (after its hello; at once in legacy mode): null
    /// admits it, a reason refuses it with the <see cref="HandshakeStatus.Busy"/> reply (v1).</param>
    /// <remarks>Runs on a thread of its own: the tunnel stream blocks (see <see cref="TunnelSocketStream"/>).</remarks>
    public static Task<TunnelLink> AcceptAsync(Socket socket, TunnelMode mode, TunnelSecurity? security,
        CidrAllowList allow, ILogger logger, TimeSpan timeout, CancellationToken cancellationToken, Func<string?>? admit = null) =>
        OnOwnThread(() => AcceptCore(socket, mode, security, allow, logger, timeout, cancellationToken, admit ?? (() => null)));

    /// <summary>Client side: connect, TLS, hello. One-line exceptions for every refusal.</summary>
    /// <remarks>Runs on a thread of its own: the tunnel stream blocks (see <see cref="TunnelSocketStream"/>).</remarks>
    /// <param name="offerClaims">Announce Claims records in the hello (v1). A server too old for them rejects the
    /// hello as Malformed; the exception then has <see cref="TunnelHandshakeException.RejectedFlags"/> set, so the caller dials again without.</param>
    public static Task<TunnelLink> ConnectAsync(string host, int port, TunnelMode mode, TunnelSecurity? security,
        string clientName, ILogger logger, TimeSpan timeout, CancellationToken cancellationToken, bool offerClaims = false) =>
        OnOwnThread(() => ConnectCore(host, port, mode, security, clientName, logger, timeout, cancellationToken, offerClaims));

    // The handshake code is written with awaits, but over TunnelSocketStream every await completes
    // synchronously, so it runs start to finish here and never parks a pool thread in a blocking call.
    private static Task<TunnelLink> OnOwnThread(Func<Task<TunnelLink>> handshake) =>
        Task.Factory.StartNew(() => handshake().GetAwaiter().GetResult(), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static async Task<TunnelLink> AcceptCore(Socket socket, TunnelMode mode, TunnelSecurity? security,
        CidrAllowList allow, ILogger logger, TimeSpan timeout, CancellationToken cancellationToken, Func<string?> admit)
    {
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        string peer = remote.ToString();
        if (!allow.Allows(remote.Address))
        {
            socket.Dispose();
            throw new TunnelHandshakeException($"rejected {peer}: not in the allow-list ({allow})", cause: "refused-allow-list");
        }
        Tune(socket);
        Stream stream = new TunnelSocketStream(socket);
        try
        {
            var codec = TunnelCodec.For(mode);
            // The legacy wire has no status to send: a refused legacy peer is just closed.
            if (mode == TunnelMode.Legacy)
                return admit() is { } legacyBusy ? throw Busy(peer, legacyBusy) : new TunnelLink(new StreamTunnelTransport(stream, socket, codec), peer, null, logger);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            string? fingerprint = null;
            if (security is not null)
            {
                var tls = await TunnelTls.AuthenticateAsServerAsync(stream, security.Certificate, security.TrustedFingerprints, timeout, cancellationToken);
                stream = tls.Stream;
                fingerprint = tls.PeerFingerprint;
            }
            var buffer = new byte[WireHandshake.MaxHelloSize];
            int filled = 0;
            HandshakeStatus verdict;
            ClientHello hello;
            while (!WireHandshake.TryReadHello(buffer.AsSpan(0, filled), out verdict, out hello, out _))
            {
                int read = await stream.ReadAsync(buffer.AsMemory(filled), deadline.Token);
                if (read == 0) throw new TunnelHandshakeException($"rejected {peer}: closed before its hello");
                filled += read;
            }
            if (verdict != HandshakeStatus.Accepted)
            {
                var reply = new byte[WireHandshake.MaxReplySize];
                int length = WireHandshake.WriteReject(reply, verdict, $"hello refused: {verdict}");
                await stream.WriteAsync(reply.AsMemory(0, length), deadline.Token);
                throw new TunnelHandshakeException($"rejected {peer}: bad hello ({verdict})");
            }
            if (admit() is { } busy)
            {
                var reply = new byte[WireHandshake.MaxReplySize];
                int length = WriteBusy(reply, busy);
                await stream.WriteAsync(reply.AsMemory(0, length), deadline.Token);
                await stream.FlushAsync(deadline.Token);
                throw Busy(peer, busy);
            }
            var accept = new byte[WireHandshake.HeaderSize];
            await stream.WriteAsync(accept.AsMemory(0, WireHandshake.WriteAccept(accept)), deadline.Token);
            await stream.FlushAsync(deadline.Token);
            string name = hello.ClientName.Length > 0 ? $"{peer} ({hello.ClientName})" : peer;
            return new TunnelLink(new StreamTunnelTransport(stream, socket, codec), name, fingerprint, logger) { ClaimsAgreed = hello.SendsClaims };
        }
        catch (Exception error)
        {
            await stream.DisposeAsync();
            throw error switch
            {
                TunnelHandshakeException => error,
                TunnelTlsException tls => new TunnelHandshakeException($"rejected {peer}: {tls.Message}", tls),
                OperationCanceledException when !cancellationToken.IsCancellationRequested =>
                    new TunnelHandshakeException($"rejected {peer}: handshake not completed within {timeout.TotalSeconds:0.#} s"),
                IOException or SocketException => new TunnelHandshakeException($"rejected {peer}: {error.Message}", error),
                _ => error,
            };
        }
    }

    /// <summary>The v1 reply that refuses a peer because of a limit: the client logs "server busy" and backs off.</summary>
    public static int WriteBusy(Span<byte> reply, string why) => WireHandshake.WriteReject(reply, HandshakeStatus.Busy, $"server busy: {why}");

    private static TunnelHandshakeException Busy(string peer, string why) => new($"refused {peer}: {why}", cause: "refused-busy");

    private static async Task<TunnelLink> ConnectCore(string host, int port, TunnelMode mode, TunnelSecurity? security,
        string clientName, ILogger logger, TimeSpan timeout, CancellationToken cancellationToken, bool offerClaims)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        Stream? stream = null;
        string server = $"{host}:{port}";
        try
        {
            Tune(socket);
            // Blocking connect (never the async API, see TunnelSocketStream); the deadline closes the socket.
            using (deadline.Token.Register(socket.Dispose))
            {
                try { socket.Connect(host, port); }
                catch (Exception) when (deadline.IsCancellationRequested) { throw new OperationCanceledException(deadline.Token); }
            }
            stream = new TunnelSocketStream(socket);
            var codec = TunnelCodec.For(mode);
            if (mode == TunnelMode.Legacy) return new TunnelLink(new StreamTunnelTransport(stream, socket, codec), server, null, logger);
            string? fingerprint = null;
            if (security is not null)
            {
                var tls = await TunnelTls.AuthenticateAsClientAsync(stream, security.Certificate, security.TrustedFingerprints.First(), timeout, cancellationToken);
                stream = tls.Stream;
                fingerprint = tls.PeerFingerprint;
            }
            var hello = new byte[WireHandshake.MaxHelloSize];
            byte flags = offerClaims ? HelloFlags.SendsClaims : (byte)0;
            await stream.WriteAsync(hello.AsMemory(0, WireHandshake.WriteHello(hello, clientName, flags: flags)), deadline.Token);
            await stream.FlushAsync(deadline.Token);
            var buffer = new byte[WireHandshake.MaxReplySize];
            int filled = 0;
            ServerReply reply;
            while (!WireHandshake.TryReadReply(buffer.AsSpan(0, filled), out reply, out _))
            {
                int read = await stream.ReadAsync(buffer.AsMemory(filled), deadline.Token);
                // TLS 1.3 finishes on the client before the server judges our certificate: a refusal shows up here.
                if (read == 0) throw new TunnelHandshakeException(security is null
                    ? $"{server} closed the connection during the handshake (is the server using TLS? then drop --insecure and pin its certificate)"
                    : $"{server} closed the connection during the handshake (our certificate not trusted there?)");
                filled += read;
            }
            if (!reply.IsAccepted)
                throw new TunnelHandshakeException($"{server} {WireHandshake.Describe(reply)}")
                {
                    RejectedFlags = flags != 0 && reply.Status == HandshakeStatus.Malformed,
                };
            return new TunnelLink(new StreamTunnelTransport(stream, socket, codec), server, fingerprint, logger) { ClaimsAgreed = offerClaims };
        }
        catch (Exception error)
        {
            if (stream is not null) await stream.DisposeAsync();
            else socket.Dispose();
            throw error switch
            {
                TunnelHandshakeException => error,
                // No server certificate seen: it closed before TLS, which is how it refuses while busy (no status is possible yet).
                TunnelTlsException { Failure: TunnelTlsFailure.HandshakeFailed, PeerFingerprint: null } tls =>
                    new TunnelHandshakeException($"{server}: {tls.Message} (the server closed before TLS: server busy, or our address not allowed there)", tls),
                TunnelTlsException tls => new TunnelHandshakeException($"{server}: {tls.Message}", tls),
                OperationCanceledException when !cancellationToken.IsCancellationRequested =>
                    new TunnelHandshakeException($"{server}: no answer within {timeout.TotalSeconds:0.#} s"),
                IOException or SocketException => new TunnelHandshakeException($"{server}: {error.Message}", error),
                _ => error,
            };
        }
    }
}
