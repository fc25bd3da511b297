using System.Buffers.Binary;
using Org.BouncyCastle.Tls;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>
/// Sits between BouncyCastle and the channel: notes each datagram's DTLS epoch and sequence, and
/// when the next one is asked for without the previous having produced an authenticated record,
/// counts the previous as discarded: Replayed when its sequence was already authenticated, else
/// Unauthenticated. Mirrors BouncyCastle's 64-record window, for counting only. It also discards,
/// before BouncyCastle sees them, datagrams with an encrypted record too short to hold the AEAD's
/// nonce and tag: BouncyCastle answers those with a fatal decode_error, so one forged datagram with
/// a tunnel's id would end the tunnel on both sides (a wrong tag, by contrast, it just discards).
/// </summary>
internal sealed class DtlsReplayWatch(UdpChannel inner) : DatagramTransport
{
    /// <summary>A DTLS 1.2 record header: type, version, epoch, sequence, length.</summary>
    private const int DtlsHeader = 13;
    private bool _pending, _authenticated;
    private int _epoch = -1;
    private long _sequence;
    private int _windowEpoch = -1;
    private long _highest = -1;
    private ulong _window;

    public DtlsDatagramSession? Session { get; set; }
    /// <summary>Counting starts once the handshake is over (handshake retransmissions are normal).</summary>
    public bool Established { get; set; }
    /// <summary>Shortest encrypted record the negotiated suite can decode (<see cref="ShortestRecordOf"/>); 0: no check yet.</summary>
    public int ShortestRecord { get; set; }

    /// <summary>Explicit nonce and tag of the suite: 8 + 16 for AES-GCM (RFC 5288), 16 for ChaCha20-Poly1305 (RFC 7905).</summary>
    public static int ShortestRecordOf(int cipherSuite) =>
        cipherSuite is CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 or CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 ? 16 : 24;

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
        while (length >= 0 && ShortestRecord > 0 && HasTruncatedRecord(buffer[..length]))
        {
            Session?.Counters?.Drop(DropReason.Unauthenticated);
            length = inner.Receive(buffer, waitMillis);
        }
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

    // Every record of the datagram (BouncyCastle reads on past the first): an encrypted one (epoch > 0) shorter than the suite's overhead.
    private bool HasTruncatedRecord(ReadOnlySpan<byte> datagram)
    {
        while (datagram.Length >= DtlsHeader)
        {
            int epoch = BinaryPrimitives.ReadUInt16BigEndian(datagram[3..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[11..]);
            if (epoch != 0 && length < ShortestRecord) return true;
            datagram = datagram[Math.Min(datagram.Length, DtlsHeader + length)..];
        }
        return false;
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
