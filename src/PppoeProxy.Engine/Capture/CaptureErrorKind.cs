namespace PppoeProxy.Engine.Capture;

/// <summary>Why a capture, injection or capture-file operation failed.</summary>
public enum CaptureErrorKind
{
    Other,
    PermissionDenied,
    InterfaceNotFound,
    InterfaceDown,
    LibraryMissing,
    BadFile,
    FileNotFound,
}
