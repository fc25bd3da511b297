using System.Text;
using System.Text.Json.Serialization;

namespace PppoeProxy.Engine.Protocol;

/// <summary>The PPP layer of a session frame, with the control packet's body decoded (<see cref="PppControlDecoder"/>).</summary>
public sealed class PppInfo
{
    public int Protocol { get; init; }
    public string ProtocolName => PppProtocols.Name((ushort)Protocol);
    public int? Code { get; init; }
    public string? CodeName => Code is int code ? PppProtocols.CodeName((ushort)Protocol, (byte)code) : null;
    public int? Identifier { get; init; }
    /// <summary>The control packet's Length field.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Length { get; init; }
    /// <summary>LCP, IPCP and IPv6CP Configure-Request/Ack/Nak/Reject options, in packet order.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<PppOption>? Options { get; init; }
    /// <summary>The magic number of an LCP Echo-Request/-Reply, Discard-Request, Identification or Time-Remaining.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public uint? MagicNumber { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public PapInfo? Pap { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ChapInfo? Chap { get; init; }

    /// <summary>The value of the first option of <paramref name="type"/>, or null.</summary>
    public string? Option(int type) => Options?.FirstOrDefault(o => o.Type == type)?.Value;

    /// <summary>"LCP Configure-Request id=1 MRU=1454 Auth=PAP Magic=0x12345678".</summary>
    public override string ToString()
    {
        if (CodeName is null) return ProtocolName;
        var text = new StringBuilder($"{ProtocolName} {CodeName} id={Identifier}");
        if (Options is not null)
            foreach (var option in Options) text.Append(' ').Append(option);
        if (MagicNumber is uint magic) text.Append($" Magic=0x{magic:x8}");
        var body = Pap?.ToString() ?? Chap?.ToString();
        if (!string.IsNullOrEmpty(body)) text.Append(' ').Append(body);
        return text.ToString();
    }
}
