namespace PppoeProxy.Engine.Tunnel;

/// <summary>The carrier under a tunnel failed (reset, closed, TLS error); the message says how, in one line.</summary>
public sealed class TunnelTransportException(string message, Exception? inner = null) : IOException(message, inner);
