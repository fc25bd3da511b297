using System.Buffers.Binary;
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
    private const int DtlsHeader = 13;
    private readonly DtlsTransport _dtls;
    private readonly UdpChannel _channel;
    private readonly DtlsRecordCallback _onRecord;
    private readonly WatchingChannel? _watch;
    private bool _newest;

    public DtlsDatagramSession(DtlsTransport dtls, UdpChannel channel, WatchingChannel? watch)
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
        while (true)
        {
            _newest = false;
            int length = _dtls.Receive(buffer, waitMillis, _onRecord);
            if (length < 0) return -1;
            if (_newest && _channel is ServerUdpChannel server && !server.LastSourceIsPeer)
                Moved?.Invoke(server.Follow());
            return length;
        }
    }

    public void Close()
    {
        try { _dtls.Close(); } catch (Exception e) when (e is IOException or ObjectDisposedException) { }
        _channel.Close();
    }

    /// <summary>
    /// Sits between BouncyCastle and the channel: notes each datagram's DTLS epoch and sequence, and
    /// when the next one is asked for without the previous having produced an authenticated record,
    /// counts the previous as discarded: Replayed when its sequence was already authenticated, else
    /// Unauthenticated. Mirrors BouncyCastle's 64-record window, for counting only.
    /// </summary>
    internal sealed class WatchingChannel(UdpChannel inner) : DatagramTransport
    {
        private bool _pending, _authenticated;
        private int _epoch = -1;
        private long _sequence;
        private int _windowEpoch = -1;
        private long _highest = -1;
        private ulong _window;

        public DtlsDatagramSession? Session { get; set; }
        /// <summary>Counting starts once the handshake is over (handshake retransmissions are normal).</summary>
        public bool Established { get; set; }

        public int GetReceiveLimit() => inner.GetReceiveLimit();
        public int GetSendLimit() => inner.GetSendLimit();
        public void Send(byte[] buf, int off, int len) => inner.Send(buf, off, len);
        public void Send(ReadOnlySpan<byte> buffer) => inner.Send(buffer);
        public void Close() => inner.Close();
        public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

        public int Receive(Span<byte> buffer, int waitMillis)
        {
            Judge();
            int length = inner.Receive(buffer, waitMillis);
            if (length >= DtlsHeader)
            {
                _pending = true;
                _authenticated = false;
                _epoch = BinaryPrimitives.ReadUInt16BigEndian(buffer[3..]);
                _sequence = (long)(BinaryPrimitives.ReadUInt64BigEndian(buffer[3..]) & 0xFFFF_FFFF_FFFFUL);
            }
            else if (length >= 0 && Established) Session?.Counters?.Drop(DropReason.Unauthenticated);
            return length;
        }

        public void Authenticated()
        {
            if (!_pending) return;
            _authenticated = true;
            if (_epoch != _windowEpoch)
            {
                _windowEpoch = _epoch;
                _highest = -1;
                _window = 0;
            }
            if (_sequence > _highest)
            {
                long shift = _highest < 0 ? 64 : _sequence - _highest;
                _window = shift >= 64 ? 0 : _window << (int)shift;
                _window |= 1;
                _highest = _sequence;
            }
            else if (_highest - _sequence < 64) _window |= 1UL << (int)(_highest - _sequence);
        }

        private void Judge()
        {
            if (!_pending) return;
            _pending = false;
            if (_authenticated || !Established || Session?.Counters is not { } counters) return;
            bool replay = _epoch == _windowEpoch && _sequence <= _highest
                && (_highest - _sequence >= 64 || (_window & (1UL << (int)(_highest - _sequence))) != 0);
            counters.Drop(replay ? DropReason.Replayed : DropReason.Unauthenticated);
        }
    }
}
