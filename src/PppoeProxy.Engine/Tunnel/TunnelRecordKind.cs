namespace PppoeProxy.Engine.Tunnel;

public enum TunnelRecordKind { Frame, Ping, Pong, Goodbye, Unknown, Claims }
