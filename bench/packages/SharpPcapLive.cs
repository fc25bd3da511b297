using PppoeProxy.Engine.Capture;
using SharpPcap;
using SharpPcap.LibPcap;

namespace PackageBench;

/// <summary>SharpPcap 6.3.1's LibPcapLiveDevice, used the documented synchronous way (Open, Filter, GetNextPacket, SendPacket).</summary>
public sealed class SharpPcapLive : ILiveContender
{
    private readonly LibPcapLiveDevice _device;

    private SharpPcapLive(LibPcapLiveDevice device) => _device = device;

    public string Name => "SharpPcap (LibPcapLiveDevice)";

    public static SharpPcapLive ForCapture(string iface) => Open(iface, new DeviceConfiguration
    {
        Mode = DeviceModes.Promiscuous,
        Snaplen = LiveCheck.SnapLength,
        BufferSize = LiveCheck.RingBytes,
        Immediate = true,
        ReadTimeout = 100,
    }, CaptureOptions.PppoeFilter);

    // Same as LiveCapture.OpenForInjection: small ring and a filter that matches nothing.
    public static SharpPcapLive ForInjection(string iface) => Open(iface, new DeviceConfiguration
    {
        Mode = DeviceModes.None,
        Snaplen = 64,
        BufferSize = 256 * 1024,
        Immediate = true,
        ReadTimeout = 100,
    }, "less 1");

    private static SharpPcapLive Open(string iface, DeviceConfiguration configuration, string filter)
    {
        var device = LibPcapLiveDeviceList.New().FirstOrDefault(d => d.Name == iface)
            ?? throw new InvalidOperationException($"SharpPcap does not list interface {iface}");
        device.Open(configuration);
        device.Filter = filter;
        return new SharpPcapLive(device);
    }

    public bool TryReadOne() => _device.GetNextPacket(out var capture) == GetPacketStatus.PacketRead && capture.Data.Length > 0;

    public void Send(ReadOnlySpan<byte> frame) => _device.SendPacket(frame);

    public (long Received, long Dropped) Statistics()
    {
        var stats = _device.Statistics;
        return (stats.ReceivedPackets, stats.DroppedPackets);
    }

    public void Dispose()
    {
        _device.Close();
        _device.Dispose();
    }
}
