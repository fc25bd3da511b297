namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>Sends one inner payload as one datagram (a span, so no Action&lt;T&gt;).</summary>
internal delegate void PayloadSink(ReadOnlySpan<byte> payload);
