namespace PppoeProxy.Engine.Capture;

/// <summary>
/// Called by <see cref="LiveCapture.Dispatch"/> for each frame. The frame's bytes are libpcap's ring
/// itself, valid only during the call: copy what must outlive it.
/// </summary>
public delegate void CapturedFrameHandler(CapturedFrame frame);
