using PppoeProxy.Engine.Capture;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.Engine.Operations;

/// <summary>The PADI probe on a live interface: what `pppoe -A` does.</summary>
public static class ServerDiscovery
{
    /// <param name="progress">Called on this thread about four times a second with the offers so far.</param>
    public static IReadOnlyList<PppoeOffer> Probe(string interfaceName, string? serviceName, TimeSpan timeout,
        CancellationToken cancellationToken = default, Action<int>? progress = null)
    {
        if (!NetworkInterfaces.Exists(interfaceName))
            throw new CaptureException(CaptureErrorKind.InterfaceNotFound, $"no such interface '{interfaceName}' (ip link lists them)");
        var macBytes = NetworkInterfaces.GetMacBytes(interfaceName)
            ?? throw new CaptureException(CaptureErrorKind.Other, $"interface '{interfaceName}' has no MAC address, so it cannot send a PADI");
        var probe = new PadiProbe(MacAddress.Read(macBytes), serviceName);
        var offers = new List<PppoeOffer>();
        FrameReading.Capture(interfaceName, new CaptureOptions { Direction = CaptureDirection.InboundOnly },
            (in FrameView frame, DateTimeOffset _) =>
            {
                if (probe.TryAccept(frame, interfaceName) is { } offer) offers.Add(offer);
                return true;
            }, timeout, cancellationToken,
            onOpened: capture => capture.Inject(probe.BuildPadi().ToBytes()),
            heartbeat: progress is null ? null : () => progress(offers.Count));
        return offers;
    }
}
