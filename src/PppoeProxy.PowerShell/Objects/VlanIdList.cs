using System.Collections;

namespace PppoeProxy.PowerShell;

/// <summary>
/// A session's VLAN ids (outer first). A list, so ConvertTo-Json writes an array and Send-PppoePadt
/// -VlanId binds it; its text is "100.10", so Export-Csv and tables show the ids, not a type name.
/// </summary>
public sealed class VlanIdList : IReadOnlyList<int>
{
    private readonly int[] _ids;

    public VlanIdList(IEnumerable<int> ids) => _ids = ids.ToArray();

    public int Count => _ids.Length;
    public int this[int index] => _ids[index];
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)_ids).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _ids.GetEnumerator();

    public override string ToString() => string.Join('.', _ids);
}
