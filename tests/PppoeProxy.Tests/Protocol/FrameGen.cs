using System.Buffers.Binary;
using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Tests.Protocol;

/// <summary>Seeded generators of well-formed PPPoE frames and of mutations of them.</summary>
internal sealed class FrameGen
{
    private static readonly ushort[] Tpids = { EtherTypes.Vlan8021Q, EtherTypes.Vlan8021AD, EtherTypes.Vlan9100 };
    private static readonly ushort[] TagTypes = { 0x0000, 0x0101, 0x0102, 0x0103, 0x0104, 0x0105, 0x0106, 0x0107, 0x0108,
        0x0109, 0x0110, 0x0111, 0x0112, 0x0120, 0x0121, 0x0201, 0x0202, 0x0203, 0x0777 };
    private static readonly ushort[] Protocols = { 0xC021, 0xC023, 0xC223, 0x8021, 0x8057, 0x0021, 0x0057 };
    private static readonly byte[] Codes = { 0x09, 0x07, 0x19, 0x65, 0xA7, 0xD3, 0xD4, 0x0A, 0x0B, 0x0C };

    public FrameGen(int seed) => Random = new Random(seed);

    public Random Random { get; }

    public byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        Random.NextBytes(bytes);
        return bytes;
    }

    public MacAddress Mac() => new((ulong)Random.NextInt64() & 0xFEFF_FFFF_FFFFUL);

    public VlanTag[] Vlans() => Enumerable.Range(0, Random.Next(3))
        .Select(_ => new VlanTag(Tpids[Random.Next(Tpids.Length)], (ushort)Random.Next(0x10000))).ToArray();

    public PppoeTag RandomTag()
    {
        ushort type = Random.Next(8) == 0 ? (ushort)Random.Next(0x10000) : TagTypes[Random.Next(TagTypes.Length)];
        return new PppoeTag(type, Bytes(Random.Next(4) == 0 ? 0 : Random.Next(1, 40)));
    }

    /// <summary>A PPP payload (protocol field onward) that the spec calls well formed.</summary>
    public byte[] PppPayload()
    {
        ushort protocol = Random.Next(5) == 0
            ? (ushort)((Random.Next(0x10000) & 0xFE00) | Random.Next(0x100) | 1)   // RFC 1661 shape: even high, odd low
            : Protocols[Random.Next(Protocols.Length)];
        bool compress = protocol < 0x100 && Random.Next(2) == 0;
        var field = compress ? new[] { (byte)protocol } : new[] { (byte)(protocol >> 8), (byte)protocol };
        byte[] rest;
        if (PppProtocols.IsControl(protocol))
        {
            var data = Bytes(Random.Next(0, 30));
            rest = new byte[4 + data.Length + (Random.Next(4) == 0 ? Random.Next(1, 5) : 0)];
            rest[0] = (byte)Random.Next(1, 14);
            rest[1] = (byte)Random.Next(256);
            BinaryPrimitives.WriteUInt16BigEndian(rest.AsSpan(2), (ushort)(4 + data.Length));
            data.CopyTo(rest, 4);
        }
        else rest = Bytes(Random.Next(0, 60));
        return field.Concat(rest).ToArray();
    }

    public PppoeFrame Frame()
    {
        PppoeFrame frame;
        var vlans = Vlans();
        if (Random.Next(2) == 0)
        {
            byte code = Random.Next(10) == 0 ? (byte)Random.Next(256) : Codes[Random.Next(Codes.Length)];
            frame = PppoeFrame.Discovery((PppoeCode)code, Mac(), Mac(), (ushort)Random.Next(0x10000),
                Enumerable.Range(0, Random.Next(6)).Select(_ => RandomTag()).ToList(), vlans);
        }
        else frame = PppoeFrame.Session(Mac(), Mac(), (ushort)Random.Next(0x10000), PppPayload(), vlans);
        int length = frame.WireLength;
        // Pad short frames to the Ethernet minimum like a NIC would, sometimes with junk, sometimes a few extra bytes.
        int padding = length < 60 && Random.Next(2) == 0 ? 60 - length : Random.Next(6) == 0 ? Random.Next(1, 8) : 0;
        frame.Padding = Random.Next(3) == 0 ? Bytes(padding) : new byte[padding];
        return frame;
    }

    /// <summary>One damaging edit aimed at a field the spec validates, or a random one.</summary>
    public byte[] Mutate(byte[] original)
    {
        var bytes = (byte[])original.Clone();
        var view = FrameView.Parse(original);
        int pppoe = view.PppoeOffset, payload = view.PayloadOffset;
        switch (Random.Next(9))
        {
            case 0:
                for (int i = Random.Next(1, 4); i > 0; i--) bytes[Random.Next(bytes.Length)] ^= (byte)Random.Next(1, 256);
                return bytes;
            case 1:
                return bytes[..Random.Next(bytes.Length)];
            case 2:   // PPPoE length field
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(pppoe + 4), (ushort)Nudge(view.LengthField));
                return bytes;
            case 3:   // version/type
                bytes[pppoe] = Random.Next(2) == 0 ? (byte)Random.Next(256) : (byte)(Random.Next(2) == 0 ? 0x21 : 0x12);
                return bytes;
            case 4 when view.IsDiscovery && view.LengthField >= 4:   // a tag length
            {
                var starts = new List<int>();
                for (int at = 0; at + 4 <= view.LengthField;) { starts.Add(at); at += 4 + BinaryPrimitives.ReadUInt16BigEndian(original.AsSpan(payload + at + 2)); }
                int tag = payload + starts[Random.Next(starts.Count)];
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(tag + 2), (ushort)Nudge(BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(tag + 2))));
                return bytes;
            }
            case 5 when view.HasPppControlHeader:   // control length
            {
                int at = payload + view.PppProtocolFieldSize + 2;
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at), (ushort)Nudge(view.PppLength));
                return bytes;
            }
            case 6 when view.IsSessionStage:   // cut the PPP payload short while keeping the length consistent
            {
                int keep = Random.Next(0, Math.Min(6, view.PayloadAvailable));
                var cut = bytes[..(payload + keep)];
                BinaryPrimitives.WriteUInt16BigEndian(cut.AsSpan(pppoe + 4), (ushort)keep);
                return cut;
            }
            case 7:   // a protocol or code byte
                if (payload < bytes.Length) bytes[payload + Random.Next(Math.Min(3, bytes.Length - payload))] = (byte)Random.Next(256);
                return bytes;
            default:
                bytes[Random.Next(Math.Min(bytes.Length, payload + 8))] = (byte)Random.Next(256);
                return bytes;
        }
    }

    private int Nudge(int value) => Random.Next(4) switch
    {
        0 => Random.Next(0x10000),
        1 => Math.Max(0, value - Random.Next(1, 5)),
        2 => Math.Min(0xFFFF, value + Random.Next(1, 5)),
        _ => Random.Next(0, 8),
    };
}
