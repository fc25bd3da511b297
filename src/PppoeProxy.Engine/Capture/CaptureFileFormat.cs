namespace PppoeProxy.Engine.Capture;

public enum CaptureFileFormat
{
    /// <summary>Classic libpcap format (microsecond or nanosecond timestamps).</summary>
    Pcap,
    /// <summary>pcapng (what Wireshark and tshark write by default).</summary>
    PcapNg,
}
