using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.PowerShell;

/// <summary>
/// A PPPoE frame as the cmdlets emit it: the engine's frame with values PowerShell handles well.
/// MACs are text and the time is a local DateTime, so ConvertTo-Json and Export-Csv write readable
/// values; Hex holds the bytes, so Export-PppoeFrame can write a frame back even after
/// ConvertTo-Json, Export-Csv or Export-Clixml.
/// </summary>
public sealed class PppoeFrameInfo
{
    private readonly PppoeFrame _frame;

    public PppoeFrameInfo(PppoeFrame frame)
    {
        _frame = frame;
        Time = frame.Time.LocalDateTime;
        Source = frame.Source.ToString();
        Destination = frame.Destination.ToString();
        VlanIds = new VlanIdList(frame.VlanIds);
        Tags = new PppoeTagList(frame.Tags);
    }

    public DateTime Time { get; }
    /// <summary>
    /// The time in UTC to the microsecond, as text: Export-Csv writes Time to the second only, and
    /// Export-PppoeFrame reads this back so a CSV round trip keeps the capture's timing.
    /// </summary>
    public string TimeUtc => _frame.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
    public string? Interface => _frame.Interface;
    public string Source { get; }
    public string Destination { get; }
    public VlanIdList VlanIds { get; }
    /// <summary>"discovery" or "session"; empty when the frame never reached a PPPoE header.</summary>
    public string? Stage => _frame.Stage;
    public string Code => _frame.Code;
    public int SessionId => _frame.SessionId;
    public int PayloadLength => _frame.PayloadLength;
    public PppoeTagList Tags { get; }
    public PppInfo? Ppp => _frame.Ppp;
    public string? Error => _frame.Error;
    /// <summary>Something odd that does not break the frame (bytes past the payload beyond padding, an option of the wrong length).</summary>
    public string? Warning => _frame.Warning;
    public string Summary => _frame.Summary;
    /// <summary>
    /// The frame's bytes as hex (captured bytes when it came from the wire or a file), a PAP password
    /// masked with '*' (see <see cref="PapRedaction"/>): a frame rebuilt from this text carries the mask.
    /// </summary>
    public string Hex => Convert.ToHexString(PapRedaction.Redact(_frame.RawBytes ?? _frame.ToBytes())).ToLowerInvariant();

    /// <summary>The engine frame behind this one (exact bytes, for writing).</summary>
    public PppoeFrame ToFrame() => _frame;

    public override string ToString() => _frame.ToString();
}
