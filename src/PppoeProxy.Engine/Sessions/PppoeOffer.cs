using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Engine.Sessions;

/// <summary>An access concentrator's answer to our PADI, like `pppoe -A` prints.</summary>
public sealed class PppoeOffer
{
    public string? Interface { get; init; }
    public string? AcName { get; init; }
    public MacAddress AcMac { get; init; }
    public string[] Services { get; init; } = Array.Empty<string>();
    /// <summary>True when the PADO carried an AC-Cookie.</summary>
    public bool Cookie { get; init; }
    public int? MaxPayload { get; init; }

    public override string ToString() =>
        $"{AcName} ({AcMac}) services=[{string.Join(",", Services)}] cookie={(Cookie ? "yes" : "no")}" +
        (MaxPayload is int max ? $" max-payload={max}" : "");
}
