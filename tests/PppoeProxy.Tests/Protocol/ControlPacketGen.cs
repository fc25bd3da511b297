using System.Buffers.Binary;

namespace PppoeProxy.Tests.Protocol;

/// <summary>
/// Seeded generator of PPPoE session frames whose LCP, IPCP, IPv6CP, PAP and CHAP packets have real
/// bodies (options, magic numbers, peer ids), then damaged: inner lengths nudged, bytes changed, cut
/// short, junk after the payload, the PPPoE length nudged.
/// </summary>
internal sealed class ControlPacketGen
{
    public const string Password = "s3cretPW";
    private readonly Random _random;

    public ControlPacketGen(int seed) => _random = new Random(seed);

    private byte[] Bytes(int max)
    {
        var bytes = new byte[_random.Next(max)];
        _random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Option(int type, params byte[] value) => [(byte)type, (byte)(2 + value.Length), .. value];
    private byte[] U16(int value) => [(byte)(value >> 8), (byte)value];
    private byte[] U32() { var b = new byte[4]; _random.NextBytes(b); return b; }

    private byte[] LcpOptions()
    {
        var options = new List<byte>();
        for (int i = _random.Next(5); i > 0; i--)
        {
            options.AddRange(_random.Next(9) switch
            {
                0 => Option(1, U16(_random.Next(3) == 0 ? _random.Next(65536) : 1492)),
                1 => Option(2, U32()),
                2 => Option(3, new[] { new byte[] { 0xc0, 0x23 }, [0xc2, 0x23, 0x05], [0xc2, 0x23, 0x81], [0xc2, 0x27] }[_random.Next(4)]),
                3 => Option(5, U32()),
                4 => Option(7),
                5 => Option(8),
                6 => Option(17, U16(_random.Next(65536))),
                7 => Option(4, 0xc0, 0x25),
                _ => Option(_random.Next(256), Bytes(6)),
            });
        }
        return options.ToArray();
    }

    private byte[] IpcpOptions()
    {
        var options = new List<byte>();
        for (int i = _random.Next(4); i > 0; i--)
            options.AddRange(_random.Next(6) switch
            {
                0 => Option(3, U32()),
                1 => Option(129, U32()),
                2 => Option(131, U32()),
                3 => Option(2, 0x00, 0x2d, 0x0f, 0x01),
                4 => Option(130, U32()),
                _ => Option(_random.Next(256), Bytes(6)),
            });
        return options.ToArray();
    }

    private byte[] Ipv6cpOptions()
    {
        var options = new List<byte>();
        for (int i = _random.Next(3); i > 0; i--)
        {
            var id = new byte[8];
            _random.NextBytes(id);
            options.AddRange(_random.Next(3) == 0 ? Option(_random.Next(256), Bytes(10)) : Option(1, id));
        }
        return options.ToArray();
    }

    private byte[] Control(int code, byte[] body) =>
        [(byte)code, (byte)_random.Next(256), .. U16(4 + body.Length), .. body];

    private static byte[] Counted(string text) => [(byte)text.Length, .. System.Text.Encoding.ASCII.GetBytes(text)];

    /// <summary>A PPP payload (protocol field onward).</summary>
    public byte[] PppPayload()
    {
        switch (_random.Next(6))
        {
            case 0:
            {
                int code = _random.Next(1, 14);
                byte[] body = code switch
                {
                    <= 4 => LcpOptions(),
                    9 or 10 or 11 => [.. U32(), .. Bytes(8)],
                    12 => [.. U32(), .. "hello"u8.ToArray()[.._random.Next(6)]],
                    13 => [.. U32(), .. U32()],
                    8 => [0x80, 0x21, .. Bytes(10)],
                    _ => Bytes(10),
                };
                return [0xc0, 0x21, .. Control(code, body)];
            }
            case 1:
            {
                int code = _random.Next(1, 5);
                byte[] body = code == 1
                    ? [.. Counted("user@isp"[.._random.Next(9)]), .. Counted(Password[.._random.Next(9)])]
                    : Counted("welcome"[.._random.Next(8)]);
                return [0xc0, 0x23, .. Control(code, body)];
            }
            case 2:
            {
                int code = _random.Next(1, 6);
                var value = Bytes(20);
                byte[] body = code <= 2 ? [(byte)value.Length, .. value, .. "BRAS-01"u8.ToArray()[.._random.Next(8)]] : "ok"u8.ToArray()[.._random.Next(3)];
                return [0xc2, 0x23, .. Control(code, body)];
            }
            case 3:
            {
                int code = _random.Next(1, 8);
                return [0x80, 0x21, .. Control(code, code <= 4 ? IpcpOptions() : Bytes(6))];
            }
            case 4:
            {
                int code = _random.Next(1, 8);
                return [0x80, 0x57, .. Control(code, code <= 4 ? Ipv6cpOptions() : Bytes(6))];
            }
            default:
                return [.. new[] { new byte[] { 0x00, 0x21 }, [0x00, 0x57], [0x21] }[_random.Next(3)], .. Bytes(40)];
        }
    }

    private byte[] Mutate(byte[] payload)
    {
        var bytes = (byte[])payload.Clone();
        switch (_random.Next(6))
        {
            case 0 when bytes.Length > 2:   // a byte after the protocol field
                for (int i = _random.Next(1, 3); i > 0; i--) bytes[_random.Next(2, bytes.Length)] = (byte)_random.Next(256);
                return bytes;
            case 1:
                return bytes[.._random.Next(bytes.Length + 1)];
            case 2 when bytes.Length >= 6:   // the control Length field
                int length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(4));
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(4), (ushort)Math.Clamp(length + _random.Next(-4, 5), 0, 0xFFFF));
                return bytes;
            case 3 when bytes.Length > 7:   // an inner length octet (option length, Peer-ID length, Value-Size)
                int at = _random.Next(7, bytes.Length);
                bytes[at] = _random.Next(6) switch { 0 => 0, 1 => 1, 2 => 2, 3 => (byte)(bytes[at] + 1), 4 => (byte)(bytes[at] - 1), _ => (byte)_random.Next(256) };
                return bytes;
            default:
                return bytes;
        }
    }

    /// <summary>A whole Ethernet frame, damaged two times in three.</summary>
    public byte[] Frame()
    {
        var payload = PppPayload();
        if (_random.Next(3) > 0) payload = Mutate(payload);
        int lengthField = payload.Length;
        byte[] trailer = [];
        switch (_random.Next(5))
        {
            case 1 when 20 + payload.Length < 60: trailer = new byte[60 - 20 - payload.Length]; break;   // NIC padding
            case 2: trailer = Bytes(50); break;                                                       // junk after the payload
            case 3: lengthField = Math.Max(0, lengthField + (_random.Next(4) == 0 ? 1 : -_random.Next(1, 4))); break;   // PPPoE length off
        }
        byte[] header = [0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x88, 0x64,
            0x11, 0x00, .. U16(_random.Next(1, 0xFFFF)), .. U16(lengthField)];
        return [.. header, .. payload, .. trailer];
    }
}
