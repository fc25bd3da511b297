using Org.BouncyCastle.Tls;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>
/// A DTLS 1.2 association (BouncyCastle) over a <see cref="UdpChannel"/>. BouncyCastle's replay
/// window and record MACs decide what is delivered; this class only watches, to count what they
/// discarded (replays apart from other failures) and to follow a client whose address changed
/// once a record from there authenticated and is the newest (server side).
/// </summary>
internal sealed class DtlsDatagramSession : IDatagramSession
{
    private readonly DtlsTransport _dtls;
    private readonly UdpChannel _channel;
    private readonly DtlsRecordCallback _onRecord;
    private readonly DtlsReplayWatch? _watch;
    private bool _newest;

    public DtlsDatagramSession(DtlsTransport dtls, UdpChannel channel, DtlsReplayWatch? watch)
    {
        _dtls = dtls;
        _channel = channel;
        _watch = watch;
        _onRecord = flags =>
        {
            _watch?.Authenticated();
            if ((flags & DtlsRecordFlags.IsNewest) != 0) _newest = true;
        };
        if (_watch is not null) _watch.Session = this;
    }

    public int MaxPayload => _dtls.GetSendLimit();
    public UdpChannel Channel => _channel;
    public Action<System.Net.IPEndPoint>? Moved { get; set; }
    public TunnelCounters? Counters { get; set; }

    public void Send(ReadOnlySpan<byte> payload) => _dtls.Send(payload);

    public int Receive(Span<byte> buffer, int waitMillis)
    {
        _newest = false;
        int length = _dtls.Receive(buffer, waitMillis, _onRecord);
        if (length < 0) return -1;
        // RFC 9146's rule: only an authenticated record that is the newest seen may move the peer's address.
        if (_newest && _channel is ServerUdpChannel server && !server.LastSourceIsPeer)
            Moved?.Invoke(server.Follow());
        return length;
    }

    public void Close()
    {
        try { _dtls.Close(); } catch (Exception e) when (e is IOException or ObjectDisposedException) { }
        _channel.Close();
    }
}
