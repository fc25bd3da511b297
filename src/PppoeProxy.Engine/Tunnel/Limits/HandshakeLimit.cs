using System.Globalization;

namespace PppoeProxy.Engine.Tunnel.Limits;

/// <summary>
/// sshd's MaxStartups for pending handshakes, START:RATE:FULL: below START every connection is
/// admitted; from START on, RATE percent are refused at random, rising linearly to 100 % at FULL.
/// One number N means a hard limit (START = FULL = N). Random early drop keeps a flood from
/// holding every slot: a legitimate client still has a fair chance while it lasts.
/// </summary>
public readonly record struct HandshakeLimit(int Start, int RatePercent, int Full)
{
    /// <summary>Home line: a few clients, which reconnect at once after a restart; a handshake lasts at most 5 s.</summary>
    public static HandshakeLimit Default { get; } = new(8, 30, 16);
    public const int MaxValue = 100_000;

    public static bool TryParse(string? text, out HandshakeLimit limit, out string problem)
    {
        limit = default;
        problem = $"'{text}' is not N or START:RATE:FULL (e.g. 8:30:16; 1 <= START <= FULL <= {MaxValue}, RATE 1..100)";
        var parts = (text ?? "").Split(':');
        var numbers = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i])) return false;
        limit = parts.Length switch
        {
            1 => new HandshakeLimit(numbers[0], 100, numbers[0]),
            3 => new HandshakeLimit(numbers[0], numbers[1], numbers[2]),
            _ => default,
        };
        return limit is { Start: >= 1, RatePercent: >= 1 and <= 100 } && limit.Full >= limit.Start && limit.Full <= MaxValue;
    }

    /// <summary>Whether one more handshake is refused with <paramref name="pending"/> already under way.</summary>
    /// <param name="roll">Uniform in [0, 1): the random part (tests pass a fixed one).</param>
    public bool Refuses(int pending, double roll)
    {
        if (pending >= Full) return true;
        if (pending < Start) return false;
        // sshd: p = rate + (100 - rate) * (pending - start) / (full - start)
        double percent = RatePercent + (100.0 - RatePercent) * (pending - Start) / Math.Max(1, Full - Start);
        return roll * 100 < percent;
    }

    public override string ToString() => Start == Full ? Full.ToString(CultureInfo.InvariantCulture) : $"{Start}:{RatePercent}:{Full}";
}
