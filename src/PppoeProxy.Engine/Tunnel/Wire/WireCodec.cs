using System.Buffers;
using System.Buffers.Binary;

namespace PppoeProxy.Engine.Tunnel.Wire;

/*
 * PppoeProxy wire protocol, version 1.  Runs inside TLS 1.3 (or plain TCP when TLS is off).
 * All integers are big-endian (network order).
 *
 * 1. Handshake (see WireHandshake).  The 8-byte header layout of both messages is frozen for
 *    every future version, so an old peer can always read a newer peer's hello far enough to
 *    reject it, and a new client can always read an old server's rejection.
 *
 *    Client hello:                              Server reply:
 *      0  4  magic "PPXY" (50 50 58 59)           0  4  magic "PPXY"
 *      4  2  protocol version (1)                 4  2  version the server speaks
 *      6  1  flags (HelloFlags)                   6  1  status: 0 accept, else HandshakeStatus
 *      7  1  name length N (0..64)                7  1  text length T (0..255)
 *      8  N  client name, UTF-8, for logs         8  T  text, UTF-8 (reason for a rejection)
 *
 *    After a rejection the server closes.  After an accept both sides switch to records.
 *    Hello flags: bit 0 (0x01) "the client sends Claims records"; other bits must be 0. A server
 *    rejects bits it does not know with Malformed (servers before Claims rejected any bit), and a
 *    client so rejected dials again without the flag: new clients work with old servers.
 *
 * 2. Records, in both directions, back to back on the stream:
 *      0  1  type (RecordType: 1 Frame, 2 Ping, 3 Pong, 4 Goodbye, 5 Claims; others reserved)
 *      1  1  flags, must be 0 in v1 (room for e.g. compression without a new header)
 *      2  2  payload length L (0..MaxRecordPayload)
 *      4  L  payload
 *
 *    Frame    L = 14..16384   one whole Ethernet frame, destination MAC first, no FCS
 *    Ping     L = 8           opaque token (e.g. a timestamp) the peer echoes
 *    Pong     L = 8           the token of the Ping answered
 *    Goodbye  L = 1..256      reason byte (GoodbyeReason), then optional UTF-8 text; sender closes
 *    Claims   L = 24*n, n>=1  client to server only, after a hello with flag 0x01: what the client
 *                             carries, so a restarted server routes the AC's frames at once and can
 *                             hold and PADT those sessions. Sent on every (re)connect, right after the accept.
 *                             Each 24-byte entry (SessionClaim):
 *                               0  6  client MAC
 *                               6  6  AC MAC (zero when no session)
 *                              12  2  session id (0: the MAC only, no live session; 0xFFFF invalid)
 *                              14  1  VLAN tag count (0..2)
 *                              15  1  reserved, 0
 *                              16  4  outer tag: TPID, TCI (zero when absent)
 *                              20  4  inner tag: TPID, TCI (zero when absent)
 *                             The server checks each entry against its ownership rules (MacOwnership)
 *                             and ignores (counts) the ones it refuses; the link stays up.
 *
 *    Unknown types with a sane length are reported as UnknownType with their size, and a v1 link
 *    skips them (logged once per link), so a later version may add informational records;
 *    anything else that breaks a rule is fatal.
 *
 * Why a fixed 4-byte header rather than a varint: frames are parsed on the hot path and a fixed
 * header needs no loop; the 2 extra bytes are nothing next to TLS overhead.
 */

/// <summary>
/// Writes and parses records of wire protocol v1. Allocation-free: writers fill a caller's span
/// (so many records can share one socket write) and the reader returns payload slices of the
/// caller's buffer. The reader never throws, whatever the bytes.
/// </summary>
public static class WireCodec
{
    public const ushort ProtocolVersion = 1;

    public const int RecordHeaderSize = 4;

    /// <summary>
    /// 16 KiB: the largest jumbo MTUs in use (9000, 9216, 9600, 9710) plus Ethernet and two VLAN
    /// tags fit with room to spare, while a connection's receive buffer stays small. It also
    /// equals the largest TLS record plaintext, so one frame never needs more than two TLS records.
    /// </summary>
    public const int MaxRecordPayload = 16384;

    public const int MaxRecordSize = RecordHeaderSize + MaxRecordPayload;

    /// <summary>An Ethernet header (two MACs and the EtherType) is the least a frame can be.</summary>
    public const int MinFramePayload = 14;

    public const int PingPayloadSize = 8;
    public const int PingRecordSize = RecordHeaderSize + PingPayloadSize;
    public const int MaxGoodbyeTextBytes = 255;
    public const int MaxGoodbyeRecordSize = RecordHeaderSize + 1 + MaxGoodbyeTextBytes;

    public const int ClaimEntrySize = 24;
    /// <summary>The most entries one Claims record holds; a client with more sends several records.</summary>
    public const int MaxClaimsPerRecord = MaxRecordPayload / ClaimEntrySize;

    /// <summary>Bytes a Frame record carrying <paramref name="frameLength"/> bytes takes, so a caller can check space first.</summary>
    public static int FrameRecordSize(int frameLength) => RecordHeaderSize + frameLength;

    /// <summary>Writes a Frame record; returns the bytes written.</summary>
    /// <exception cref="ArgumentException">The frame is shorter than an Ethernet header, longer than
    /// <see cref="MaxRecordPayload"/>, or <paramref name="destination"/> is too small.</exception>
    public static int WriteFrameRecord(Span<byte> destination, ReadOnlySpan<byte> frame)
    {
        if ((uint)(frame.Length - MinFramePayload) > MaxRecordPayload - MinFramePayload)
            throw new ArgumentException($"frame of {frame.Length} bytes is outside {MinFramePayload}..{MaxRecordPayload}", nameof(frame));
        int size = WriteHeader(destination, RecordType.Frame, frame.Length);
        frame.CopyTo(destination[RecordHeaderSize..]);
        return size;
    }

    public static int WritePingRecord(Span<byte> destination, ulong token) => WriteToken(destination, RecordType.Ping, token);

    public static int WritePongRecord(Span<byte> destination, ulong token) => WriteToken(destination, RecordType.Pong, token);

    /// <summary>Writes a Goodbye record. Text longer than 255 UTF-8 bytes is cut (it is only for logs).</summary>
    public static int WriteGoodbyeRecord(Span<byte> destination, GoodbyeReason reason, string? text = null)
    {
        Span<byte> textBytes = stackalloc byte[MaxGoodbyeTextBytes];
        int textLength = WireText.EncodeTruncated(text, textBytes);
        int size = WriteHeader(destination, RecordType.Goodbye, 1 + textLength);
        destination[RecordHeaderSize] = (byte)reason;
        textBytes[..textLength].CopyTo(destination[(RecordHeaderSize + 1)..]);
        return size;
    }

    /// <summary>
    /// Parses the record at the front of <paramref name="buffer"/>. On <see cref="RecordStatus.Ok"/>
    /// and <see cref="RecordStatus.UnknownType"/>, <paramref name="payload"/> is a slice of the
    /// buffer and <paramref name="consumed"/> the record's size; otherwise consumed is 0.
    /// </summary>
    public static RecordStatus TryReadRecord(ReadOnlySpan<byte> buffer, out RecordType type, out ReadOnlySpan<byte> payload, out int consumed)
    {
        type = default;
        payload = default;
        consumed = 0;
        if (buffer.Length < RecordHeaderSize) return RecordStatus.NeedMoreData;

        type = (RecordType)buffer[0];
        int length = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        if (buffer[1] != 0) return RecordStatus.Malformed;
        if (length > MaxRecordPayload) return RecordStatus.Oversized;

        // Check the length against the type before waiting for the payload: a bad header is
        // reported at once instead of after up to 16 KiB more arrive.
        RecordStatus verdict = type switch
        {
            RecordType.Frame => length >= MinFramePayload ? RecordStatus.Ok : RecordStatus.Malformed,
            RecordType.Ping or RecordType.Pong => length == PingPayloadSize ? RecordStatus.Ok : RecordStatus.Malformed,
            RecordType.Goodbye => length is >= 1 and <= 1 + MaxGoodbyeTextBytes ? RecordStatus.Ok : RecordStatus.Malformed,
            RecordType.Claims => length >= ClaimEntrySize && length % ClaimEntrySize == 0 ? RecordStatus.Ok : RecordStatus.Malformed,
            _ => RecordStatus.UnknownType,
        };
        if (verdict == RecordStatus.Malformed) return verdict;
        if (buffer.Length < RecordHeaderSize + length) return RecordStatus.NeedMoreData;

        payload = buffer.Slice(RecordHeaderSize, length);
        consumed = RecordHeaderSize + length;
        return verdict;
    }

    /// <summary>
    /// The same over a <see cref="ReadOnlySequence{T}"/> (System.IO.Pipelines). When the record
    /// spans segments it is copied into <paramref name="scratch"/>, which must hold
    /// <see cref="MaxRecordSize"/> bytes; payload then points into scratch.
    /// </summary>
    public static RecordStatus TryReadRecord(in ReadOnlySequence<byte> buffer, Span<byte> scratch,
        out RecordType type, out ReadOnlySpan<byte> payload, out int consumed)
    {
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (buffer.IsSingleSegment || first.Length >= MaxRecordSize)
            return TryReadRecord(first, out type, out payload, out consumed);

        if (scratch.Length < MaxRecordSize)
            throw new ArgumentException($"scratch must hold {MaxRecordSize} bytes", nameof(scratch));

        // Peek the header to learn how much must be contiguous, then copy only that much.
        int headerBytes = (int)Math.Min(buffer.Length, RecordHeaderSize);
        buffer.Slice(0, headerBytes).CopyTo(scratch);
        RecordStatus status = TryReadRecord(scratch[..headerBytes], out type, out payload, out consumed);
        if (status != RecordStatus.NeedMoreData || headerBytes < RecordHeaderSize) return status;

        int recordSize = RecordHeaderSize + BinaryPrimitives.ReadUInt16BigEndian(scratch[2..]);
        if (first.Length >= recordSize) return TryReadRecord(first, out type, out payload, out consumed);
        if (buffer.Length < recordSize) return RecordStatus.NeedMoreData;
        buffer.Slice(0, recordSize).CopyTo(scratch);
        return TryReadRecord(scratch[..recordSize], out type, out payload, out consumed);
    }

    /// <summary>Writes one Claims record of 1..<see cref="MaxClaimsPerRecord"/> entries; returns the bytes written.</summary>
    /// <exception cref="ArgumentException">No entries or too many, an entry with more than two VLAN tags, or destination too small.</exception>
    public static int WriteClaimsRecord(Span<byte> destination, ReadOnlySpan<SessionClaim> claims)
    {
        if (claims.Length is < 1 or > MaxClaimsPerRecord)
            throw new ArgumentException($"a Claims record holds 1..{MaxClaimsPerRecord} entries, not {claims.Length}", nameof(claims));
        int size = WriteHeader(destination, RecordType.Claims, claims.Length * ClaimEntrySize);
        var entries = destination[RecordHeaderSize..size];
        entries.Clear();
        for (int i = 0; i < claims.Length; i++)
        {
            var entry = entries.Slice(i * ClaimEntrySize, ClaimEntrySize);
            var claim = claims[i];
            var tags = claim.VlanTags ?? Array.Empty<Protocol.VlanTag>();
            if (tags.Length > 2) throw new ArgumentException("a claim has at most two VLAN tags", nameof(claims));
            claim.Client.Write(entry);
            claim.Ac.Write(entry[6..]);
            BinaryPrimitives.WriteUInt16BigEndian(entry[12..], claim.SessionId);
            entry[14] = (byte)tags.Length;
            for (int t = 0; t < tags.Length; t++)
            {
                BinaryPrimitives.WriteUInt16BigEndian(entry[(16 + 4 * t)..], tags[t].Tpid);
                BinaryPrimitives.WriteUInt16BigEndian(entry[(18 + 4 * t)..], tags[t].Tci);
            }
        }
        return size;
    }

    /// <summary>
    /// Entry <paramref name="index"/> of a Claims payload. False for an entry that breaks a rule
    /// (reserved byte set, more than two tags, session id 0xFFFF, a session without an AC): the caller skips it.
    /// Allocates the VLAN array: claims come once per connection.
    /// </summary>
    public static bool TryReadClaim(ReadOnlySpan<byte> payload, int index, out SessionClaim claim)
    {
        claim = default;
        var entry = payload.Slice(index * ClaimEntrySize, ClaimEntrySize);
        int tagCount = entry[14];
        ushort sessionId = BinaryPrimitives.ReadUInt16BigEndian(entry[12..]);
        var ac = Protocol.MacAddress.Read(entry[6..]);
        if (entry[15] != 0 || tagCount > 2 || sessionId == 0xFFFF || (sessionId != 0 && ac.Value == 0)) return false;
        var tags = tagCount == 0 ? Array.Empty<Protocol.VlanTag>() : new Protocol.VlanTag[tagCount];
        for (int t = 0; t < tagCount; t++)
            tags[t] = new Protocol.VlanTag(BinaryPrimitives.ReadUInt16BigEndian(entry[(16 + 4 * t)..]), BinaryPrimitives.ReadUInt16BigEndian(entry[(18 + 4 * t)..]));
        claim = new SessionClaim(Protocol.MacAddress.Read(entry), ac, sessionId, tags);
        return true;
    }

    /// <summary>Reads the token of a Ping or Pong payload.</summary>
    public static ulong ReadToken(ReadOnlySpan<byte> payload) => BinaryPrimitives.ReadUInt64BigEndian(payload);

    /// <summary>Splits a Goodbye payload. Allocates the text, which is fine: it happens once per connection.</summary>
    public static GoodbyeReason ReadGoodbye(ReadOnlySpan<byte> payload, out string text)
    {
        text = payload.Length > 1 ? WireText.DecodeForLog(payload[1..]) : "";
        return payload.IsEmpty ? GoodbyeReason.Unspecified : (GoodbyeReason)payload[0];
    }

    private static int WriteToken(Span<byte> destination, RecordType type, ulong token)
    {
        int size = WriteHeader(destination, type, PingPayloadSize);
        BinaryPrimitives.WriteUInt64BigEndian(destination[RecordHeaderSize..], token);
        return size;
    }

    private static int WriteHeader(Span<byte> destination, RecordType type, int payloadLength)
    {
        int size = RecordHeaderSize + payloadLength;
        if (destination.Length < size)
            throw new ArgumentException($"destination has {destination.Length} bytes, record needs {size}", nameof(destination));
        destination[0] = (byte)type;
        destination[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
        return size;
    }
}
