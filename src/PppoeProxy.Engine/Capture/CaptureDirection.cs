namespace PppoeProxy.Engine.Capture;

/// <summary>Which frames a live capture sees.</summary>
public enum CaptureDirection
{
    /// <summary>Frames received and sent on the interface (sniffing tools).</summary>
    Both,
    /// <summary>Only frames received; the proxy uses this so frames it injects never come back to it.</summary>
    InboundOnly,
}
