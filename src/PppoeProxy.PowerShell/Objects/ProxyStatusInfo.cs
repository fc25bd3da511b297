using PppoeProxy.Engine.Tunnel;

namespace PppoeProxy.PowerShell;

/// <summary>
/// A proxy job's state as the module shows it: sessions as Get-PppoeSession emits them (MACs as
/// text, states as names), flat peers and totals, so ConvertTo-Json and Export-Csv are readable.
/// </summary>
public sealed class ProxyStatusInfo
{
    public ProxyStatusInfo(ProxyStatus status)
    {
        Role = status.Role;
        Interface = status.Interface;
        Endpoint = status.Endpoint;
        Security = status.Security;
        MacMode = status.MacMode;
        Peers = new SummaryList<ProxyPeerInfo>(status.Peers.Select(p => new ProxyPeerInfo(p)));
        Sessions = new SummaryList<PppoeSessionInfo>(status.Sessions.Select(s => new PppoeSessionInfo(s)));
        Counters = new ProxyStatistics(status);
        HeldClientMacs = new MacAddressList(status.HeldClientMacs);
        SessionBudget = status.SessionBudget?.ToString() ?? "unlimited";
    }

    public string Role { get; }
    public string Interface { get; }
    public string Endpoint { get; }
    public string Security { get; }
    public string MacMode { get; }
    public SummaryList<ProxyPeerInfo> Peers { get; }
    public SummaryList<PppoeSessionInfo> Sessions { get; }
    /// <summary>Totals over the end and its tunnels, as the job's Statistics.</summary>
    public ProxyStatistics Counters { get; }
    /// <summary>Client MACs held for a tunnel that went away (server side).</summary>
    public MacAddressList HeldClientMacs { get; }
    /// <summary>Server: "sessions 1/2 (budget)" under -MaxSessions, else "unlimited" (text, for CSV).</summary>
    public string SessionBudget { get; }

    public override string ToString() =>
        $"{Role} on {Interface} ({Endpoint}, {Security}): {Peers.Count(p => p.Connected)} tunnel(s), {Sessions.Count} session(s); {Counters}";
}
