using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Engine.Sessions;

/// <summary>What the ghost guard asks of the tracker: off the frame path (once a second, and per guarded discovery).</summary>
public sealed partial class SessionTracker
{
    /// <summary>(client MAC, VLAN key) of every established session; both MACs while roles are unsure (a sniffer met it mid-stream).</summary>
    internal HashSet<(ulong Mac, uint Vlan)> ClientsWithSessions()
    {
        var clients = new HashSet<(ulong, uint)>();
        foreach (var session in _sessions.Values)
        {
            if (session.State != SessionState.Established || session.SessionId == 0) continue;
            uint vlan = VlanKey(session.VlanTags);
            clients.Add((session.ClientMac.Value, vlan));
            if (session.RoleConfidence < RoleConfidence.Likely) clients.Add((session.ServerMac.Value, vlan));
        }
        return clients;
    }

    /// <summary>
    /// The live entries of <paramref name="client"/>'s established sessions on that VLAN (with <paramref name="ac"/>
    /// when given: a PADR names its AC) on which both the AC and the client were heard: a session the
    /// tracker never saw the client speak on is not one it may judge. A discovery frame proves which MAC is
    /// the client, so unsure roles are settled here.
    /// </summary>
    internal List<PppoeSession> GuardCandidates(MacAddress client, uint vlan, MacAddress? ac)
    {
        var found = new List<PppoeSession>();
        foreach (var session in _sessions.Values)
        {
            if (session.State != SessionState.Established || session.SessionId == 0 || VlanKey(session.VlanTags) != vlan) continue;
            if (session.ServerMac == client && session.RoleConfidence < RoleConfidence.Likely)
                SetRoles(session, client, RoleConfidence.Likely, $"discovery from {client}");
            if (session.ClientMac != client || (ac is { } named && session.ServerMac != named)) continue;
            if (session.FramesFromClient == 0 || session.LastFromServer is null) continue;
            found.Add(session);
        }
        return found;
    }
}
