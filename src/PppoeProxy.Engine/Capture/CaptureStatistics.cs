namespace PppoeProxy.Engine.Capture;

/// <summary>Counters from pcap_stats since the capture was opened.</summary>
public readonly record struct CaptureStatistics(long Received, long DroppedByKernel, long DroppedByInterface);
