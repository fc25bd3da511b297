using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Engine.Operations;

/// <summary>Called once per frame with the parsed view; return false to stop reading.</summary>
public delegate bool FrameHandler(in FrameView frame, DateTimeOffset time);
