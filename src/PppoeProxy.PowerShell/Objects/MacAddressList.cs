using System.Collections;

namespace PppoeProxy.PowerShell;

/// <summary>MAC addresses: a list for scripts and JSON, "a,b" as text for Export-Csv and tables.</summary>
public sealed class MacAddressList : IReadOnlyList<string>
{
    private readonly string[] _macs;

    public MacAddressList(IEnumerable<string> macs) => _macs = macs.ToArray();

    public int Count => _macs.Length;
    public string this[int index] => _macs[index];
    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)_macs).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _macs.GetEnumerator();

    public override string ToString() => string.Join(',', _macs);
}
