using System.Buffers.Binary;

namespace PppoeProxy.Engine.Protocol;

/// <summary>Walks discovery tags; stops quietly at the first malformed one (the frame carries the error).</summary>
public ref struct TagEnumerator
{
    private readonly ReadOnlySpan<byte> _payload;
    private int _next;
    private TagView _current;

    public TagEnumerator(ReadOnlySpan<byte> payload) { _payload = payload; _next = 0; _current = default; }

    public TagEnumerator GetEnumerator() => this;
    public TagView Current => _current;

    public bool MoveNext()
    {
        if (_payload.Length - _next < 4) return false;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(_payload[_next..]);
        int length = BinaryPrimitives.ReadUInt16BigEndian(_payload[(_next + 2)..]);
        if (_next + 4 + length > _payload.Length) return false;
        _current = new TagView(type, _payload.Slice(_next + 4, length));
        _next += 4 + length;
        return true;
    }

    /// <summary>First tag of a type, without allocating.</summary>
    public static bool TryFind(ReadOnlySpan<byte> payload, ushort type, out ReadOnlySpan<byte> value)
    {
        foreach (var tag in new TagEnumerator(payload))
        {
            if (tag.Type == type) { value = tag.Value; return true; }
        }
        value = default;
        return false;
    }
}
