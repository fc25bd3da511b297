namespace PppoeProxy.Engine.Protocol;

/// <summary>The PPP layer of a session frame.</summary>
public sealed class PppInfo
{
    public int Protocol { get; init; }
    public string ProtocolName => PppProtocols.Name((ushort)Protocol);
    public int? Code { get; init; }
    public string? CodeName => Code is int code ? PppProtocols.CodeName((ushort)Protocol, (byte)code) : null;
    public int? Identifier { get; init; }

    public override string ToString() => CodeName is null ? ProtocolName : $"{ProtocolName} {CodeName} id={Identifier}";
}
