using System.Text.Json.Serialization;

namespace PppoeProxy.Engine.Protocol;

/// <summary>One configuration option of an LCP, IPCP or IPv6CP Configure-* packet, as shown to users.</summary>
public sealed class PppOption
{
    public PppOption(int type, string name, int length, string? value)
    {
        Type = type;
        Name = name;
        Length = length;
        Value = value;
    }

    public int Type { get; }
    public string Name { get; }
    /// <summary>The option's length octet as sent (type and length octets included).</summary>
    public int Length { get; }
    /// <summary>The decoded value ("1454", "PAP", "10.0.0.1"); null for flag options and unknown types.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Value { get; }

    public override string ToString() => Value is null ? Name : $"{Name}={Value}";
}
