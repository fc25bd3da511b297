using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Serialization;

namespace PppoeProxy.Engine.Protocol;

/// <summary>A discovery tag as shown to users: type, registry name and a readable value.</summary>
public sealed class PppoeTag
{
    public PppoeTag(ushort type, byte[] rawValue)
    {
        Type = type;
        RawValue = rawValue;
        if (type == (ushort)PppoeTagType.VendorSpecific) DecodeVendorSpecific(rawValue);
    }

    public PppoeTag(PppoeTagType type, string text) : this((ushort)type, Encoding.UTF8.GetBytes(text)) { }

    public int Type { get; }
    public string Name => PppoeTagTypes.Name((ushort)Type);
    /// <summary>Text for the name and error tags, decimal for PPP-Max-Payload, lowercase hex otherwise.</summary>
    public string Value => FormatValue((ushort)Type, RawValue);
    [JsonIgnore] public byte[] RawValue { get; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public uint? VendorId { get; private set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? AgentCircuitId { get; private set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? AgentRemoteId { get; private set; }

    public static string FormatValue(ushort type, ReadOnlySpan<byte> value)
    {
        if (PppoeTagTypes.IsText(type)) return Encoding.UTF8.GetString(value);
        if (type == (ushort)PppoeTagType.PppMaxPayload && value.Length == 2)
            return BinaryPrimitives.ReadUInt16BigEndian(value).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Convert.ToHexString(value).ToLowerInvariant();
    }

    // TR-101: a 4-byte vendor id, then sub-tags of type(1) length(1).
    private void DecodeVendorSpecific(ReadOnlySpan<byte> value)
    {
        if (value.Length < 4) return;
        VendorId = BinaryPrimitives.ReadUInt32BigEndian(value);
        if (VendorId != PppoeTagTypes.BroadbandForumVendorId) return;
        var rest = value[4..];
        while (rest.Length >= 2)
        {
            byte subType = rest[0], subLength = rest[1];
            if (rest.Length < 2 + subLength) break;
            var subValue = rest.Slice(2, subLength);
            if (subType == 0x01) AgentCircuitId = Encoding.UTF8.GetString(subValue);
            else if (subType == 0x02) AgentRemoteId = Encoding.UTF8.GetString(subValue);
            rest = rest[(2 + subLength)..];
        }
    }

    public override string ToString() => AgentCircuitId is null && AgentRemoteId is null
        ? $"{Name}={Value}"
        : $"{Name}=Agent-Circuit-Id:{AgentCircuitId} Agent-Remote-Id:{AgentRemoteId}";
}
