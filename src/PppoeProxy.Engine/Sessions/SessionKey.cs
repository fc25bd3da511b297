using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Engine.Sessions;

/// <summary>A session's identity, independent of which side sent the frame.</summary>
public readonly record struct SessionKey(ulong LowMac, ulong HighMac, ushort SessionId, uint Vlan)
{
    public static SessionKey Of(MacAddress a, MacAddress b, ushort sessionId, uint vlan) =>
        a.Value <= b.Value ? new(a.Value, b.Value, sessionId, vlan) : new(b.Value, a.Value, sessionId, vlan);
}
