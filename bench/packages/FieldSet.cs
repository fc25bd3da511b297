using System.Globalization;

namespace PackageBench;

/// <summary>What a decoder said about one frame: normalized key -> value (decimal numbers, lowercase hex bytes).</summary>
public sealed class FieldSet : Dictionary<string, string>
{
    public static string Number(string text) => text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
        ? ulong.Parse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)
        : ulong.Parse(text, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);

    public void Append(string key, string value) => this[key] = TryGetValue(key, out var old) ? old + "," + value : value;

    public void Append(string key, long value) => Append(key, value.ToString(CultureInfo.InvariantCulture));
}
