using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// Lets a watcher (the PowerShell job, a debug view) see frames as they pass. Invoked on the
/// forwarding threads, so it must be quick; it costs nothing when nobody subscribes.
/// </summary>
public delegate void FrameTap(in FrameView frame, DateTimeOffset time, TapDirection direction);
