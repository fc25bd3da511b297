using System.Collections;
using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.PowerShell;

/// <summary>A frame's discovery tags: a list for scripts and JSON, "Name=value ..." as text for Export-Csv.</summary>
public sealed class PppoeTagList : IReadOnlyList<PppoeTag>
{
    private readonly IReadOnlyList<PppoeTag> _tags;

    public PppoeTagList(IReadOnlyList<PppoeTag> tags) => _tags = tags;

    public int Count => _tags.Count;
    public PppoeTag this[int index] => _tags[index];
    public IEnumerator<PppoeTag> GetEnumerator() => _tags.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _tags.GetEnumerator();

    public override string ToString() => string.Join(' ', _tags.Select(t => t.ToString()));
}
