namespace PppoeProxy.Engine.Tunnel.Wire;

/// <summary>What a client said in its hello.</summary>
public readonly record struct ClientHello(ushort Version, string ClientName);
