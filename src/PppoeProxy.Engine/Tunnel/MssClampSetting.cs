using System.Globalization;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// `--clamp-mss auto|N|off` (`-ClampMss`): whether the proxy lowers the MSS option of TCP SYNs it carries.
/// auto: to the session's MTU from LCP (IPv4 MTU−40, IPv6 MTU−60). N: the IPv4 MSS, so packets fit an MTU
/// of N+40; IPv6 SYNs get N−20, the same packet size.
/// </summary>
public readonly record struct MssClampSetting
{
    /// <summary>RFC 879's default MSS: no MSS is ever lowered below it, and N may not be smaller.</summary>
    public const int MinMss = 536;
    /// <summary>The largest IPv4 MSS (65535 − 40).</summary>
    public const int MaxMss = 65495;

    // 0 off, -1 auto, else the IPv4 MSS.
    private readonly int _value;

    private MssClampSetting(int value) => _value = value;

    public static MssClampSetting Off => default;
    public static MssClampSetting Auto => new(-1);
    public static MssClampSetting Fixed(int mss) => mss is >= MinMss and <= MaxMss
        ? new(mss) : throw new ArgumentOutOfRangeException(nameof(mss), $"an MSS from {MinMss} to {MaxMss}");

    public bool IsOff => _value == 0;
    public bool IsAuto => _value < 0;
    /// <summary>The IPv4 MSS of a fixed setting; null for auto and off.</summary>
    public int? FixedMss => _value > 0 ? _value : null;

    /// <summary>"auto", "off" or a whole number from <see cref="MinMss"/> to <see cref="MaxMss"/>, any case.</summary>
    public static bool TryParse(string? text, out MssClampSetting setting, out string problem)
    {
        setting = Off;
        problem = "";
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Equals("off", StringComparison.OrdinalIgnoreCase)) return true;
        if (trimmed.Equals("auto", StringComparison.OrdinalIgnoreCase)) { setting = Auto; return true; }
        if (int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out int mss) && mss is >= MinMss and <= MaxMss)
        {
            setting = new(mss);
            return true;
        }
        problem = $"'{text}' is not auto, off or an MSS from {MinMss} to {MaxMss}";
        return false;
    }

    public override string ToString() => _value switch
    {
        0 => "off",
        < 0 => "auto",
        var mss => mss.ToString(CultureInfo.InvariantCulture),
    };
}
