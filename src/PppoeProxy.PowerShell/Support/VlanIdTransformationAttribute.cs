using System.Management.Automation;

namespace PppoeProxy.PowerShell.Support;

/// <summary>
/// VLAN ids as text, the way Export-Csv writes a session's VlanIds: "" is untagged and "100.10"
/// is outer 100, inner 10. Without this, "" binds as VLAN 0 and "100.10" as the number 100.
/// </summary>
public sealed class VlanIdTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is not string text) return inputData;
        text = text.Trim();
        if (text.Length == 0) return Array.Empty<int>();
        var parts = text.Split('.');
        var ids = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ids[i]))
                throw new ArgumentTransformationMetadataException($"'{text}' is not a VLAN id list: use 100, or 100.10 for outer.inner, or leave it empty for untagged");
        }
        return ids;
    }
}
