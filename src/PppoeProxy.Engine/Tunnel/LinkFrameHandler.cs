namespace PppoeProxy.Engine.Tunnel;

/// <summary>Called on the link's reader thread for each frame that arrives through the tunnel.</summary>
public delegate void LinkFrameHandler(TunnelLink link, ReadOnlySpan<byte> frame);
