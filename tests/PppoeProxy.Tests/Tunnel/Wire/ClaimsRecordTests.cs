using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Tunnel.Wire;
using Xunit;

namespace PppoeProxy.Tests.Tunnel.Wire;

/// <summary>The Claims record (issue 12, item 5): its layout, its limits, and entries a server must skip.</summary>
public class ClaimsRecordTests
{
    private static readonly MacAddress Client = MacAddress.Parse("02:00:00:00:0a:01");
    private static readonly MacAddress Ac = MacAddress.Parse("00:1b:21:aa:00:01");

    [Fact]
    public void EntriesRoundTripWithTheirVlanTagsByteForByte()
    {
        var claims = new[]
        {
            new SessionClaim(Client, Ac, 0x1234, new[] { VlanTag.Dot1AD(100), new VlanTag(EtherTypes.Vlan8021Q, 0x6007) }),
            new SessionClaim(MacAddress.Parse("02:00:00:00:0b:01"), default, 0, Array.Empty<VlanTag>()),
        };
        var buffer = new byte[WireCodec.MaxRecordSize];
        int size = WireCodec.WriteClaimsRecord(buffer, claims);
        Assert.Equal(WireCodec.RecordHeaderSize + 2 * WireCodec.ClaimEntrySize, size);
        Assert.Equal(new byte[] { 5, 0, 0, 48 }, buffer[..4]);
        Assert.Equal(new byte[] { 0x02, 0, 0, 0, 0x0a, 0x01, 0x00, 0x1b, 0x21, 0xaa, 0, 0x01, 0x12, 0x34, 2, 0, 0x88, 0xa8, 0, 100, 0x81, 0, 0x60, 0x07 },
            buffer[4..28]);

        Assert.Equal(RecordStatus.Ok, WireCodec.TryReadRecord(buffer.AsSpan(0, size), out var type, out var payload, out int consumed));
        Assert.Equal((RecordType.Claims, size), (type, consumed));
        var copy = payload.ToArray();
        for (int i = 0; i < claims.Length; i++)
        {
            Assert.True(WireCodec.TryReadClaim(copy, i, out var read));
            Assert.Equal((claims[i].Client, claims[i].Ac, claims[i].SessionId), (read.Client, read.Ac, read.SessionId));
            Assert.Equal(claims[i].VlanTags, read.VlanTags);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(23)]
    [InlineData(25)]
    public void ALengthThatIsNotWholeEntriesIsMalformed(int length)
    {
        var record = new byte[4 + length];
        record[0] = (byte)RecordType.Claims;
        record[2] = (byte)(length >> 8);
        record[3] = (byte)length;
        Assert.Equal(RecordStatus.Malformed, WireCodec.TryReadRecord(record, out _, out _, out _));
    }

    [Theory]
    [InlineData(15, 1)]     // reserved byte
    [InlineData(14, 3)]     // three VLAN tags
    [InlineData(12, 0xFF)]  // session id 0xFFxx with the next byte: 0xFFFF
    public void AnEntryThatBreaksARuleIsRefusedAlone(int offset, byte value)
    {
        var buffer = new byte[WireCodec.MaxRecordSize];
        int size = WireCodec.WriteClaimsRecord(buffer, new[]
        {
            new SessionClaim(Client, Ac, 7, Array.Empty<VlanTag>()),
            new SessionClaim(Client, Ac, 8, Array.Empty<VlanTag>()),
        });
        var payload = buffer.AsSpan(WireCodec.RecordHeaderSize, size - WireCodec.RecordHeaderSize).ToArray();
        payload[offset] = value;
        if (offset == 12) payload[13] = 0xFF;
        Assert.False(WireCodec.TryReadClaim(payload, 0, out _));
        Assert.True(WireCodec.TryReadClaim(payload, 1, out var second));
        Assert.Equal(8, second.SessionId);
    }

    [Fact]
    public void ASessionWithoutAnAcIsRefused()
    {
        var buffer = new byte[WireCodec.MaxRecordSize];
        int size = WireCodec.WriteClaimsRecord(buffer, new[] { new SessionClaim(Client, default, 7, Array.Empty<VlanTag>()) });
        Assert.False(WireCodec.TryReadClaim(buffer.AsSpan(WireCodec.RecordHeaderSize, size - WireCodec.RecordHeaderSize), 0, out _));
    }

    [Fact]
    public void AHelloFlagOfThisVersionIsAcceptedAndAnUnknownOneIsMalformed()
    {
        var hello = new byte[WireHandshake.MaxHelloSize];
        int n = WireHandshake.WriteHello(hello, "lan", flags: HelloFlags.SendsClaims);
        Assert.True(WireHandshake.TryReadHello(hello.AsSpan(0, n), out var verdict, out var parsed, out _));
        Assert.Equal(HandshakeStatus.Accepted, verdict);
        Assert.True(parsed.SendsClaims);

        n = WireHandshake.WriteHello(hello, "lan", flags: 0x80);
        Assert.True(WireHandshake.TryReadHello(hello.AsSpan(0, n), out verdict, out _, out _));
        Assert.Equal(HandshakeStatus.Malformed, verdict);
    }
}
