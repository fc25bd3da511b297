namespace PppoeProxy.Engine.Tunnel.Wire;

/// <summary>What a server answered. <see cref="Status"/> is also how the client reports a reply it could not read.</summary>
public readonly record struct ServerReply(HandshakeStatus Status, ushort Version, string Text)
{
    public bool IsAccepted => Status == HandshakeStatus.Accepted;
}
