using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Engine.Tunnel.Wire;

/// <summary>
/// One entry of a Claims record: a client MAC the proxy client carries and, unless
/// <see cref="SessionId"/> is 0, one of its live sessions (layout in the comment at the top of WireCodec.cs).
/// </summary>
public readonly record struct SessionClaim(MacAddress Client, MacAddress Ac, ushort SessionId, VlanTag[] VlanTags)
{
    public bool HasSession => SessionId != 0;
}
