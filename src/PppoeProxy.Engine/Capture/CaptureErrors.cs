namespace PppoeProxy.Engine.Capture;

/// <summary>Turns libpcap status codes into <see cref="CaptureException"/>s with actionable messages.</summary>
internal static class CaptureErrors
{
    // Status codes from pcap/pcap.h; stable across libpcap 1.x.
    internal const int PcapError = -1;
    internal const int PcapErrorBreak = -2;
    internal const int PcapErrorNotActivated = -3;
    internal const int PcapErrorActivated = -4;
    internal const int PcapErrorNoSuchDevice = -5;
    internal const int PcapErrorRfmonNotSup = -6;
    internal const int PcapErrorNotRfmon = -7;
    internal const int PcapErrorPermDenied = -8;
    internal const int PcapErrorIfaceNotUp = -9;
    internal const int PcapErrorCantSetTstampType = -10;
    internal const int PcapErrorPromiscPermDenied = -11;
    internal const int PcapErrorTstampPrecisionNotSup = -12;

    internal static CaptureException LibraryMissing(Exception? inner = null) =>
        new(CaptureErrorKind.LibraryMissing, "libpcap is not installed: run 'apt-get install libpcap0.8'", inner);

    internal static CaptureException InterfaceNotFound(string iface) =>
        new(CaptureErrorKind.InterfaceNotFound, $"interface '{iface}' does not exist");

    internal static CaptureException InterfaceDown(string iface) =>
        new(CaptureErrorKind.InterfaceDown, $"interface '{iface}' is down: ip link set {iface} up");

    internal static CaptureException InterfaceWentAway(string iface, string role, Exception inner) =>
        new(CaptureErrorKind.InterfaceNotFound, $"interface '{iface}' went away while the proxy {role} ran", inner);

    internal static CaptureException PermissionDenied(string iface) =>
        new(CaptureErrorKind.PermissionDenied, $"permission denied opening {iface}: run as root or grant CAP_NET_RAW");

    /// <summary>
    /// Maps a failed pcap_activate (or other setup call) status to an exception.
    /// <paramref name="detail"/> is pcap_geterr/pcap_statustostr text, used only for codes we can't explain better.
    /// </summary>
    internal static CaptureException FromStatus(int status, string iface, string? detail) => status switch
    {
        PcapErrorPermDenied => PermissionDenied(iface),
        PcapErrorPromiscPermDenied => new(CaptureErrorKind.PermissionDenied,
            $"permission denied putting {iface} into promiscuous mode: run as root or grant CAP_NET_ADMIN"),
        PcapErrorNoSuchDevice => InterfaceNotFound(iface),
        PcapErrorIfaceNotUp => InterfaceDown(iface),
        _ => new(CaptureErrorKind.Other, string.IsNullOrWhiteSpace(detail)
            ? $"cannot capture on {iface}: libpcap status {status}"
            : $"cannot capture on {iface}: {detail}"),
    };

    /// <summary>
    /// A read or inject failed after the handle was open. The usual causes are the interface being
    /// deleted or taken down underneath us, so re-check /sys to give the actionable message.
    /// </summary>
    internal static CaptureException AfterOpen(string iface, string operation, string? detail)
    {
        if (!NetworkInterfaces.Exists(iface)) return InterfaceNotFound(iface);
        if (!NetworkInterfaces.IsUp(iface)) return InterfaceDown(iface);
        return new(CaptureErrorKind.Other, $"{operation} on {iface} failed: {detail ?? "unknown libpcap error"}");
    }
}
