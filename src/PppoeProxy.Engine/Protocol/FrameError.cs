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
}
