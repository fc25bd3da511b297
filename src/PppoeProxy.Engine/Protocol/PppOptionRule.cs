namespace PppoeProxy.Engine.Protocol;

/// <summary>
/// How long one option type must be. A wrong length is a warning (the option is skipped, the rest still
/// decodes), except where the option is too short to hold a field every reader must read: then the packet
/// is malformed. The lengths follow the RFCs and agree with tshark 4.0.
/// </summary>
public readonly record struct PppOptionRule(int Fixed, int Minimum, bool ShortIsMalformed = false)
{
    public static PppOptionRule Any => new(0, 2);
    public static PppOptionRule Exactly(int length) => new(length, length);
    public static PppOptionRule AtLeast(int length, bool shortIsMalformed = false) => new(0, length, shortIsMalformed);

    /// <summary>Null when <paramref name="length"/> fits the rule; otherwise what is wrong with it.</summary>
    public string? Check(int length) =>
        Fixed > 0 && length != Fixed ? $"length {length}, must be {Fixed}"
        : length < Minimum ? $"length {length}, must be at least {Minimum}"
        : null;
}
