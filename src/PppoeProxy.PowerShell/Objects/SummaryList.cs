using System.Collections;

namespace PppoeProxy.PowerShell;

/// <summary>Objects in a list whose text is the items' text joined, so Export-Csv shows them, not a type name.</summary>
public sealed class SummaryList<T> : IReadOnlyList<T>
{
    private readonly T[] _items;

    public SummaryList(IEnumerable<T> items) => _items = items.ToArray();

    public int Count => _items.Length;
    public T this[int index] => _items[index];
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public override string ToString() => string.Join("; ", _items.Select(i => i?.ToString()));
}
