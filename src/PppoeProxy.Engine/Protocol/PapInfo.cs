namespace PppoeProxy.Engine.Protocol;

/// <summary>
/// The body of a PAP packet. The password is never kept: only its length, so no output, log or
/// export can leak it.
/// </summary>
public sealed class PapInfo
{
    /// <summary>The Peer-ID of an Authenticate-Request (the user name).</summary>
    public string? PeerId { get; init; }
    /// <summary>How many password octets the Authenticate-Request carried.</summary>
    public int? PasswordLength { get; init; }
    /// <summary>The message of an Authenticate-Ack or -Nak.</summary>
    public string? Message { get; init; }

    public override string ToString() => PeerId is not null
        ? $"Peer-Id={PeerId} Password=<{PasswordLength} bytes>"
        : Message is { Length: > 0 } ? $"Message={Message}" : "";
}
