using System.Buffers.Binary;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/*
 * The UDP transport's datagrams (issue 14). Big-endian.
 *
 * Outer header, in clear, on every datagram (so one server socket can tell tunnels apart):
 *   0  1  marker: 0xB1 DTLS records follow, 0xB0 plain payload follows (--insecure)
 *   1  8  connection id, random, chosen by the client for one association
 * The connection id selects the association, not the source address: a client whose address
 * changes (NAT rebinding, roaming) is followed, but only once a DTLS record from the new address
 * has authenticated and is the newest seen (RFC 9146's rule for its own connection ids).
 *
 * Inner payload (inside one DTLS record, or after the outer header when plain):
 *   0  1  kind: 0 whole v1 records, 1 one fragment of a v1 record, 2 handshake (hello or reply),
 *           3 a slice of the record stream
 *   1  4  sender's datagram sequence (kinds 0, 1, 3): gaps are counted as losses, never waited on
 *   kind 0:  5  v1 records back to back (WireCodec), each whole
 *   kind 1:  5  2 message id, 7 1 fragment index, 8 1 fragment count, 9.. bytes of the record
 *            (still accepted; senders now use kind 3)
 *   kind 2:  5  the v1 hello or reply (WireHandshake)
 *   kind 3:  5  2 offset in the data of the first record that starts here (0xFFFF: none does),
 *            7.. the next bytes of the record stream: before that offset the end (or middle) of a
 *            record an earlier datagram began, from it records, the last one possibly continuing
 *            in the next datagram.
 * A record larger than what is left of a datagram continues in the next one, and is rejoined only
 * from datagrams that follow each other in sequence: a missing or late one drops the frames it
 * carried a piece of (counted as Lost); nothing is reordered or waited for.
 */

/// <summary>Layout constants and the outer header of the UDP transport's datagrams.</summary>
internal static class DatagramFormat
{
    public const byte MarkerDtls = 0xB1;
    public const byte MarkerPlain = 0xB0;
    public const int OuterHeaderSize = 9;

    public const byte KindRecords = 0;
    public const byte KindFragment = 1;
    public const byte KindHandshake = 2;
    public const int InnerHeaderSize = 5;
    public const int FragmentHeaderSize = 9;
    public const byte KindSpan = 3;
    public const int SpanHeaderSize = 7;
    public const ushort NoRecordStart = 0xFFFF;

    /// <summary>
    /// Largest UDP payload we send: fits a 1454-byte FLET'S PPPoE path (and any IPv6 path of 1280+
    /// 20 bytes spare is not promised: see docs) after IP and UDP headers, so IP never fragments.
    /// </summary>
    public const int DefaultMaxDatagram = 1400;

    /// <summary>Largest datagram accepted: anything longer is not ours (counted and dropped).</summary>
    public const int MaxReceiveDatagram = 2048;

    public static void WriteOuter(Span<byte> destination, byte marker, ulong connectionId)
    {
        destination[0] = marker;
        BinaryPrimitives.WriteUInt64BigEndian(destination[1..], connectionId);
    }

    public static bool TryReadOuter(ReadOnlySpan<byte> datagram, out byte marker, out ulong connectionId)
    {
        marker = 0;
        connectionId = 0;
        if (datagram.Length < OuterHeaderSize + 1) return false;
        marker = datagram[0];
        if (marker != MarkerDtls && marker != MarkerPlain) return false;
        connectionId = BinaryPrimitives.ReadUInt64BigEndian(datagram[1..]);
        return connectionId != 0;
    }
}
