using System.Net.Sockets;
using System.Security.Cryptography;
using PppoeProxy.Engine.Capture;
using PppoeProxy.Engine.Tunnel.Security;

namespace PppoeProxy.PowerShell.Support;

/// <summary>Engine failures to ErrorRecord ids and categories, one place for every cmdlet.</summary>
public static class ErrorMapping
{
    public static ErrorDescriptor ForCaptureKind(CaptureErrorKind kind) => kind switch
    {
        CaptureErrorKind.PermissionDenied => new("CapturePermissionDenied", "PermissionDenied"),
        CaptureErrorKind.InterfaceNotFound => new("InterfaceNotFound", "ObjectNotFound"),
        CaptureErrorKind.InterfaceDown => new("InterfaceDown", "ResourceUnavailable"),
        CaptureErrorKind.LibraryMissing => new("LibpcapMissing", "NotInstalled"),
        CaptureErrorKind.BadFile => new("BadCaptureFile", "InvalidData"),
        CaptureErrorKind.FileNotFound => new("CaptureFileNotFound", "ObjectNotFound"),
        _ => new("CaptureFailed", "NotSpecified"),
    };

    /// <summary>Any exception an engine call can throw; <paramref name="fallbackId"/> names the operation for the rest.</summary>
    public static ErrorDescriptor ForException(Exception exception, string fallbackId) => exception switch
    {
        CaptureException capture => ForCaptureKind(capture.Kind),
        TunnelConfigException => new("TunnelConfigInvalid", "InvalidArgument"),
        CidrFormatException => new("InvalidCidr", "InvalidArgument"),
        CryptographicException => new("CertificateInvalid", "InvalidData"),
        SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } => new("ListenAddressInUse", "ResourceUnavailable"),
        SocketException { SocketErrorCode: SocketError.AccessDenied } => new("ListenPermissionDenied", "PermissionDenied"),
        SocketException => new("NetworkError", "ConnectionError"),
        UnauthorizedAccessException => new("AccessDenied", "PermissionDenied"),
        FileNotFoundException or DirectoryNotFoundException => new("FileNotFound", "ObjectNotFound"),
        IOException => new("FileError", "WriteError"),
        ArgumentException => new("InvalidArgument", "InvalidArgument"),
        _ => new(fallbackId, "NotSpecified"),
    };
}
