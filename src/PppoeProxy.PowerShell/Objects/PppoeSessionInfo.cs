using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.PowerShell;

/// <summary>
/// A PPPoE session as Get-PppoeSession emits it: the engine's session with values PowerShell handles
/// well. MACs, state and role confidence are text (ConvertTo-Json and Export-Csv show them as
/// such), times are local DateTime (so (Get-Date) - $_.FirstSeen works), idle times are seconds.
/// Property names match Send-PppoePadt's parameters, which bind them from the pipeline.
/// </summary>
public sealed class PppoeSessionInfo
{
    /// <param name="captureEnd">For sessions read from a file: its last frame, when the engine did not set it.</param>
    public PppoeSessionInfo(PppoeSession session, DateTimeOffset? captureEnd = null)
    {
        Interface = session.Interface;
        SessionId = session.SessionId;
        ClientMac = session.ClientMac.ToString();
        ServerMac = session.ServerMac.ToString();
        VlanIds = new VlanIdList(session.VlanIds);
        ServiceName = session.ServiceName;
        AcName = session.AcName;
        HostUniq = session.HostUniq;
        State = session.State.ToString();
        RoleConfidence = session.RoleConfidence.ToString();
        RoleEvidence = session.RoleEvidence;
        FirstSeen = session.FirstSeen.LocalDateTime;
        LastSeen = session.LastSeen.LocalDateTime;
        LastFromClient = session.LastFromClient?.LocalDateTime;
        LastFromServer = session.LastFromServer?.LocalDateTime;
        CaptureEnd = (session.CaptureEnd ?? captureEnd)?.LocalDateTime;
        FramesFromClient = session.FramesFromClient;
        FramesFromServer = session.FramesFromServer;
        BytesFromClient = session.BytesFromClient;
        BytesFromServer = session.BytesFromServer;
    }

    public string? Interface { get; }
    public int SessionId { get; }
    public string ClientMac { get; }
    public string ServerMac { get; }
    public VlanIdList VlanIds { get; }
    public string? ServiceName { get; }
    public string? AcName { get; }
    public string? HostUniq { get; }
    /// <summary>Discovering, Established or Terminated.</summary>
    public string State { get; }
    /// <summary>Unknown, Guessed, Likely or Certain: how the client and AC sides were told apart.</summary>
    public string RoleConfidence { get; }
    public string RoleEvidence { get; }
    public DateTime FirstSeen { get; }
    public DateTime LastSeen { get; }
    /// <summary>Last frame from the client; empty when the client never spoke (a ghost's usual sign).</summary>
    public DateTime? LastFromClient { get; }
    public DateTime? LastFromServer { get; }
    /// <summary>Sessions read from a file: the capture's last frame. Idle times count to it instead of to now.</summary>
    public DateTime? CaptureEnd { get; }
    public long Frames => FramesFromClient + FramesFromServer;
    public long FramesFromClient { get; }
    public long FramesFromServer { get; }
    public long Bytes => BytesFromClient + BytesFromServer;
    public long BytesFromClient { get; }
    public long BytesFromServer { get; }

    /// <summary>Seconds since any frame of the session (to the capture's end for files).</summary>
    public double IdleSeconds => SecondsSince(LastSeen);
    /// <summary>Seconds since the client last spoke (since first seen if it never did): a ghost's grows while the AC keeps echoing.</summary>
    public double ClientIdleSeconds => SecondsSince(LastFromClient ?? FirstSeen);
    public double ServerIdleSeconds => SecondsSince(LastFromServer ?? FirstSeen);

    private double SecondsSince(DateTime time) => Math.Round(Math.Max(0, ((CaptureEnd ?? DateTime.Now) - time).TotalSeconds), 1);

    public override string ToString() =>
        $"{Interface} sid={SessionId} client={ClientMac} ac={ServerMac} {State} ({RoleConfidence}: {RoleEvidence})";
}
