namespace PppoeProxy.Engine.Protocol;

/// <summary>The body of a CHAP packet: the name and the size of the challenge or response value.</summary>
public sealed class ChapInfo
{
    /// <summary>The Value-Size octet of a Challenge or Response.</summary>
    public int? ValueLength { get; init; }
    /// <summary>The Name of a Challenge or Response (the AC's or the user's name).</summary>
    public string? Name { get; init; }
    /// <summary>The message of a Success or Failure.</summary>
    public string? Message { get; init; }

    public override string ToString() => ValueLength is int size
        ? $"Name={Name} Value=<{size} bytes>"
        : Message is { Length: > 0 } ? $"Message={Message}" : "";
}
