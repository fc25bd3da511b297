using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PppoeProxy.Engine.Protocol;

/// <summary>A 48-bit Ethernet address kept in a ulong so it compares and hashes without allocation.</summary>
[JsonConverter(typeof(MacAddressJsonConverter))]
public readonly struct MacAddress : IEquatable<MacAddress>, IComparable<MacAddress>
{
    private readonly ulong _value;

    public MacAddress(ulong value) => _value = value & 0xFFFF_FFFF_FFFFUL;

    public static MacAddress Broadcast { get; } = new(0xFFFF_FFFF_FFFFUL);
    public static MacAddress Zero { get; } = default;

    public ulong Value => _value;
    public bool IsBroadcast => _value == 0xFFFF_FFFF_FFFFUL;
    /// <summary>The I/G bit: multicast and broadcast destinations have it set.</summary>
    public bool IsGroup => ((_value >> 40) & 1) != 0;

    public static MacAddress Read(ReadOnlySpan<byte> six) =>
        new(((ulong)BinaryPrimitives.ReadUInt16BigEndian(six) << 32) | BinaryPrimitives.ReadUInt32BigEndian(six[2..]));

    public void Write(Span<byte> six)
    {
        BinaryPrimitives.WriteUInt16BigEndian(six, (ushort)(_value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(six[2..], (uint)_value);
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[6];
        Write(bytes);
        return bytes;
    }

    /// <summary>Accepts aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff and aabb.ccdd.eeff, any case.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out MacAddress mac)
    {
        mac = default;
        if (text is null) return false;
        ulong value = 0;
        int digits = 0;
        foreach (char c in text.Trim())
        {
            int nibble = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                ':' or '-' or '.' => -1,
                _ => -2,
            };
            if (nibble == -2) return false;
            if (nibble == -1) continue;
            if (++digits > 12) return false;
            value = (value << 4) | (uint)nibble;
        }
        if (digits != 12) return false;
        mac = new MacAddress(value);
        return true;
    }

    public static MacAddress Parse(string text) =>
        TryParse(text, out var mac) ? mac : throw new FormatException($"'{text}' is not a MAC address (expected aa:bb:cc:dd:ee:ff)");

    public override string ToString() => string.Create(17, _value, static (span, v) =>
    {
        const string hex = "0123456789abcdef";
        for (int i = 0; i < 6; i++)
        {
            byte b = (byte)(v >> (40 - 8 * i));
            span[i * 3] = hex[b >> 4];
            span[i * 3 + 1] = hex[b & 0xF];
            if (i < 5) span[i * 3 + 2] = ':';
        }
    });

    public bool Equals(MacAddress other) => _value == other._value;
    public override bool Equals(object? obj) => obj is MacAddress other && Equals(other);
    public override int GetHashCode() => _value.GetHashCode();
    public int CompareTo(MacAddress other) => _value.CompareTo(other._value);
    public static bool operator ==(MacAddress a, MacAddress b) => a._value == b._value;
    public static bool operator !=(MacAddress a, MacAddress b) => a._value != b._value;
}
