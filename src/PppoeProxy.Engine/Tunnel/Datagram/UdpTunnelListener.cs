using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Tls;
using PppoeProxy.Engine.Diagnostics;
using PppoeProxy.Engine.Tunnel.Limits;
using PppoeProxy.Engine.Tunnel.Security;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>
/// The server's one UDP socket, demultiplexed by connection id: a dispatcher thread reads every
/// datagram and copies it into the bounded queue of the association it names. A connection id it
/// does not know may only open an association with a DTLS ClientHello carrying a valid stateless
/// cookie (answered otherwise with a HelloVerifyRequest smaller than the hello, keeping nothing), or
/// without DTLS with a padded hello; both from an allowed source and within the handshake limits
/// of issue 12. Everything else is counted by cause and dropped.
/// </summary>
internal sealed class UdpTunnelListener : IDisposable
{
    private readonly Socket _socket;
    private readonly DtlsIdentity? _identity;
    private readonly DtlsVerifier? _verifier;
    private readonly CidrAllowList _allow;
    private readonly ConnectionLimiter _limits;
    private readonly TimeSpan _handshakeTimeout;
    private readonly ILogger _log;
    private readonly RateLimitedLog _limitedLog;
    private readonly RefusalCounters _refusals;
    private readonly Action<TunnelLink, IPAddress> _onLink;
    private readonly ConcurrentDictionary<ulong, ServerUdpChannel> _associations = new();
    private readonly byte _marker;
    private readonly CookieReplySender _cookieSender;
    private Thread? _thread;
    private volatile bool _stopping;

    public UdpTunnelListener(IPEndPoint listen, TunnelSecurity? security, CidrAllowList allow, ConnectionLimiter limits, TimeSpan handshakeTimeout,
        ILogger log, RateLimitedLog limitedLog, RefusalCounters refusals, Action<TunnelLink, IPAddress> onLink)
    {
        _socket = new Socket(listen.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (listen.Address.Equals(IPAddress.IPv6Any)) _socket.DualMode = true;
        UdpHandshake.Tune(_socket);
        if (OperatingSystem.IsLinux())
        {
            // Associations get their own sockets on this port (SO_REUSEPORT); a port another program
            // (or another pppoeproxy) holds must still fail here as before, so it is tried without first.
            if (listen.Port != 0) ProbeFree(listen);
            ServerUdpChannel.EnableReusePort(_socket);
        }
        _socket.Bind(listen);
        LocalEndpoint = (IPEndPoint)_socket.LocalEndPoint!;
        if (security is not null)
        {
            _identity = new DtlsIdentity(security);
            _verifier = new DtlsVerifier(_identity.Crypto);
        }
        _marker = security is null ? DatagramFormat.MarkerPlain : DatagramFormat.MarkerDtls;
        _allow = allow;
        _limits = limits;
        _handshakeTimeout = handshakeTimeout;
        _log = log;
        _limitedLog = limitedLog;
        _refusals = refusals;
        _onLink = onLink;
        _cookieSender = new CookieReplySender(_socket, _marker);
    }

    private static void ProbeFree(IPEndPoint listen)
    {
        using var probe = new Socket(listen.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (listen.Address.Equals(IPAddress.IPv6Any)) probe.DualMode = true;
        probe.Bind(listen);
    }

    public IPEndPoint LocalEndpoint { get; }
    /// <summary>Associations in their handshake or carrying a tunnel (tests: a cookie-less flood must leave none).</summary>
    public int Associations => _associations.Count;
    /// <summary>HelloVerifyRequests sent: ClientHellos that came without a valid cookie.</summary>
    public long CookiesSent => Interlocked.Read(ref _cookiesSent);
    private long _cookiesSent;
    /// <summary>Datagrams the dispatcher queued for an existing association (tests: an authenticated one reads its own socket instead).</summary>
    public long Queued => Interlocked.Read(ref _queued);
    private long _queued;
    /// <summary>Times an association followed its client to a new address.</summary>
    public long AddressChanges => Interlocked.Read(ref _addressChanges);
    private long _addressChanges;

    public void Start()
    {
        _thread = new Thread(DispatchLoop) { IsBackground = true, Name = "udp-dispatch" };
        _thread.Start();
    }

    private void DispatchLoop()
    {
        var buffer = new byte[65536];
        var source = new SocketAddress(_socket.AddressFamily);
        while (true)
        {
            int length;
            try { length = _socket.ReceiveFrom(buffer, SocketFlags.None, source); }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.MessageSize) { continue; }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            try { Dispatch(buffer.AsSpan(0, length), buffer, length, source); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Whatever one datagram does, the socket keeps serving the others.
                _refusals.Count("udp-dispatch-error");
                _limitedLog.Warning("udp-dispatch-error", "udp: a datagram could not be handled: {Error}", e.Message.ReplaceLineEndings(" "));
            }
        }
    }

    private void Dispatch(ReadOnlySpan<byte> datagram, byte[] buffer, int length, SocketAddress source)
    {
        if (length > DatagramFormat.MaxReceiveDatagram)
        {
            Refuse("udp-oversized", source, $"datagram of {length} bytes, at most {DatagramFormat.MaxReceiveDatagram} accepted");
            return;
        }
        if (!DatagramFormat.TryReadOuter(datagram, out byte marker, out ulong id))
        {
            Refuse("udp-garbage", source, "not a pppoeproxy datagram");
            return;
        }
        if (marker != _marker)
        {
            Refuse("udp-wrong-security", source, _marker == DatagramFormat.MarkerDtls ? "plain-text datagram (client --insecure?) to a DTLS server" : "DTLS datagram to an --insecure server");
            return;
        }
        if (_associations.TryGetValue(id, out var known))
        {
            // Plain text cannot prove a new address is the same client: it keeps the one it came from.
            bool fromPeer = source.Equals(known.Peer);
            // Another address may hold the client that moved, so DTLS lets it try; but only into a quarter of the
            // queue: else anyone who saw the id could crowd the client's own datagrams out of it.
            if (!fromPeer && (_identity is null || known.Queue.Count >= known.Queue.Limit / 4 || !_allow.Allows(EndPointOf(source).Address)))
            {
                _refusals.Count("udp-foreign-source");
                return;
            }
            if (known.Queue.TryEnqueue(datagram, source)) _queued++; // the dispatcher's own; read as a whole long on 64-bit
            else
            {
                if (known.Counters is { } counters) counters.Drop(DropReason.QueueFull);
                else known.QueueFull++;
            }
            return;
        }
        if (_stopping) return;
        var from = EndPointOf(source);
        if (!_allow.Allows(from.Address))
        {
            Refuse("refused-allow-list", source, $"not in the allow-list ({_allow})");
            return;
        }
        var content = datagram[DatagramFormat.OuterHeaderSize..];
        DtlsRequest? request = null;
        if (_verifier is not null)
        {
            // The cookie binds the source address, port and connection id: a spoofed source never sees it.
            var clientId = new byte[source.Size + 8];
            source.Buffer.Span[..source.Size].CopyTo(clientId);
            BinaryPrimitives.WriteUInt64BigEndian(clientId.AsSpan(source.Size), id);
            var copy = content.ToArray();
            _cookieSender.Target(source, id);
            // BouncyCastle throws for some malformed hellos (a reserved version, say) where it returns null for others: both are garbage.
            try { request = _verifier.VerifyRequest(clientId, copy, 0, copy.Length, _cookieSender); }
            catch (Exception e) when (e is not OutOfMemoryException) { request = null; }
            if (request is null)
            {
                if (_cookieSender.SentOne) Interlocked.Increment(ref _cookiesSent);
                else _refusals.Count("udp-garbage");
                return;
            }
        }
        else if (content.Length < UdpHandshake.PlainHelloMinimum || content[0] != DatagramFormat.KindHandshake)
        {
            Refuse("udp-garbage", source, "not a hello");
            return;
        }
        var verdict = _limits.TryBeginHandshake(from.Address);
        if (verdict != AdmissionVerdict.Admitted)
        {
            // Nothing can be said before DTLS is up; the client's message names "busy" as one possible cause.
            Refuse(ProxyLimitCauses.Of(verdict), source, _limits.Describe(verdict));
            return;
        }
        var channel = new ServerUdpChannel(_socket, id, _marker, DatagramFormat.DefaultMaxDatagram, source);
        _associations[id] = channel;
        if (_identity is null) channel.Queue.TryEnqueue(datagram, source);
        new Thread(() => Handshake(channel, request, from)) { IsBackground = true, Name = "udp-handshake" }.Start();
    }

    private void Handshake(ServerUdpChannel channel, DtlsRequest? request, IPEndPoint from)
    {
        bool handshakeEnded = false, admitted = false;
        var refusedBy = AdmissionVerdict.Admitted;
        void EndHandshake()
        {
            if (handshakeEnded) return;
            handshakeEnded = true;
            _limits.EndHandshake(from.Address);
        }
        string? Admit()
        {
            EndHandshake();
            refusedBy = _limits.TryAddTunnel(from.Address);
            admitted = refusedBy == AdmissionVerdict.Admitted;
            return admitted ? null : _limits.Describe(refusedBy);
        }
        TunnelLink link;
        try
        {
            link = UdpHandshake.Accept(channel, request, _identity, from.ToString(), _log, _handshakeTimeout, Admit);
        }
        catch (TunnelHandshakeException rejected)
        {
            _associations.TryRemove(channel.ConnectionId, out _);
            if (admitted) _limits.RemoveTunnel(from.Address);
            var cause = refusedBy == AdmissionVerdict.Admitted ? rejected.Cause : ProxyLimitCauses.Of(refusedBy);
            _refusals.Count(cause);
            _limitedLog.Warning(cause, "{Reason}", rejected.Message);
            return;
        }
        finally { EndHandshake(); }
        if (link.Transport is DatagramTunnelTransport transport)
        {
            transport.Session.Moved = moved =>
            {
                Interlocked.Increment(ref _addressChanges);
                // Rate-limited: an on-path attacker forwarding fresh records could make it flip back and forth.
                _limitedLog.Information("udp-moved", "tunnel {Peer} moved to {Address} (an authenticated record came from there)", link.PeerName, moved);
                link.PeerMovedTo(moved.ToString());
            };
        }
        channel.Counters = link.Counters;
        channel.Queue.Widen();
        channel.Refused = _refusals.Count;
        if (channel.TryOwnSocket(LocalEndpoint, out int handover))
            for (int i = 0; i < handover; i++) _refusals.Count("udp-handover");
        link.Closed += (closed, reason) =>
        {
            _associations.TryRemove(channel.ConnectionId, out _);
            if (channel.QueueFull > 0) closed.Counters.Drop(DropReason.QueueFull, channel.QueueFull);
        };
        _onLink(link, from.Address); // closes it again at once if the server is stopping, with its handlers in place
    }

    private void Refuse(string cause, SocketAddress source, string why)
    {
        _refusals.Count(cause);
        _limitedLog.Warning(cause, "udp: refused a datagram from {Peer}: {Why}", EndPointOf(source), why);
    }

    private IPEndPoint EndPointOf(SocketAddress address)
    {
        var any = _socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        var endPoint = (IPEndPoint)new IPEndPoint(any, 0).Create(address);
        return endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
    }

    /// <summary>No new associations from now on; the tunnels keep their socket until <see cref="Dispose"/> (goodbyes, PADTs).</summary>
    public void StopAccepting() => _stopping = true;

    public void Dispose()
    {
        _stopping = true;
        try { _socket.Dispose(); } catch (SocketException) { }
        foreach (var channel in _associations.Values) channel.Close();
    }

    /// <summary>Sends BouncyCastle's HelloVerifyRequest to the datagram's source (dispatcher thread only).</summary>
    private sealed class CookieReplySender(Socket socket, byte marker) : DatagramSender
    {
        private SocketAddress? _target;
        private ulong _id;
        public bool SentOne { get; private set; }

        public void Target(SocketAddress target, ulong id)
        {
            _target = target;
            _id = id;
            SentOne = false;
        }

        public int GetSendLimit() => DatagramFormat.DefaultMaxDatagram - DatagramFormat.OuterHeaderSize;
        public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

        public void Send(ReadOnlySpan<byte> buffer)
        {
            Span<byte> datagram = stackalloc byte[DatagramFormat.OuterHeaderSize + buffer.Length];
            DatagramFormat.WriteOuter(datagram, marker, _id);
            buffer.CopyTo(datagram[DatagramFormat.OuterHeaderSize..]);
            try { socket.SendTo(datagram, SocketFlags.None, _target!); SentOne = true; }
            catch (SocketException) { }
        }
    }
}
