namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// An end's decision on a frame a tunnel delivered, on the tunnel's reader thread: true with the
/// bytes to inject (the frame itself or an edit in <paramref name="scratch"/>), false when dropped (counted).
/// </summary>
internal delegate bool TunnelFrameRoute(TunnelLink link, ReadOnlySpan<byte> frame, Span<byte> scratch, out ReadOnlySpan<byte> toInject);
