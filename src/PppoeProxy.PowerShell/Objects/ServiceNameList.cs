using System.Collections;

namespace PppoeProxy.PowerShell;

/// <summary>An offer's Service-Names: a list for scripts and JSON, "a,b" as text for Export-Csv and tables.</summary>
public sealed class ServiceNameList : IReadOnlyList<string>
{
    private readonly string[] _names;

    public ServiceNameList(IEnumerable<string> names) => _names = names.ToArray();

    public int Count => _names.Length;
    public string this[int index] => _names[index];
    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)_names).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _names.GetEnumerator();

    public override string ToString() => string.Join(',', _names);
}
