namespace PppoeProxy.Engine.Tunnel.Wire;

/// <summary>What a client said in its hello; <see cref="Flags"/> are the <see cref="HelloFlags"/> it set.</summary>
public readonly record struct ClientHello(ushort Version, string ClientName, byte Flags = 0)
{
    /// <summary>The client will send Claims records after the accept.</summary>
    public bool SendsClaims => (Flags & HelloFlags.SendsClaims) != 0;
}
