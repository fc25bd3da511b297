namespace PppoeProxy.Engine.Protocol;

/// <summary>One tag as a view: type and value span.</summary>
public readonly ref struct TagView
{
    public TagView(ushort type, ReadOnlySpan<byte> value) { Type = type; Value = value; }
    public ushort Type { get; }
    public ReadOnlySpan<byte> Value { get; }
}
