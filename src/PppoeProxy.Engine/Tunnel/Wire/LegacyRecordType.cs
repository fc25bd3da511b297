namespace PppoeProxy.Engine.Tunnel.Wire;

/// <summary>Record types of the legacy protocol (KarpelesLab/pppoeproxy, Go), a big-endian uint16 on the wire.</summary>
public enum LegacyRecordType : ushort
{
    Ping = 0,
    Pong = 1,
    /// <summary>An EtherType 0x8863 (PPPoE discovery) frame.</summary>
    Discovery = 2,
    /// <summary>An EtherType 0x8864 (PPPoE session) frame.</summary>
    Session = 3,
}

/*
 * Legacy wire protocol, byte-compatible with the Go program KarpelesLab/pppoeproxy.
 * No handshake, no TLS; records back to back on the TCP stream:
 *
 *   0  2  type, uint16 big-endian (0 ping, 1 pong, 2 discovery frame, 3 session frame)
 *   2  n  payload length, unsigned LEB128 varint (7 bits per byte, low group first,
 *         high bit = more bytes follow), 1..10 bytes
 *   .  L  payload: the whole Ethernet frame as captured
 *
 * Example: a session frame of 300 bytes starts 00 03 AC 02.
 * The Go reader drops the connection on lengths over 4096 (its buffer size) and on varints
 * longer than 10 bytes; it accepts non-minimal varints (80 00 = 0), and so do we. It logs and
 * skips unknown types, which we report as UnknownType with the record's size.
 */
