namespace PppoeProxy.Engine.Protocol;

/// <summary>Why a frame did not parse cleanly. The frame is still usable as far as it went.</summary>
public enum FrameError : byte
{
    None,
    TruncatedEthernet,
    TruncatedVlan,
    TooManyVlanTags,
    NotPppoe,
    TruncatedPppoeHeader,
    BadVersionType,
    LengthPastFrame,
    TruncatedTagHeader,
    TagPastLength,
    MissingPppProtocol,
    TruncatedPppControl,
    BadPppControlLength,
    /// <summary>A discovery (0x8863) code no RFC or draft defines, or 0: no peer may act on it.</summary>
    UnknownDiscoveryCode,
    /// <summary>A session-stage (0x8864) frame whose code is not 0 (RFC 2516 5.5).</summary>
    SessionCodeNotZero,
}
