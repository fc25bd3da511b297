using System.Text.Json.Serialization;
using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Engine.Sessions;

public enum SessionState { Discovering, Established, Terminated }

/// <summary>How the client and AC roles of a session were decided, weakest first.</summary>
public enum RoleConfidence
{
    /// <summary>No evidence: the PADT goes both ways.</summary>
    Unknown,
    /// <summary>One side sends LCP Echo-Requests that nobody answers: that side is the AC.</summary>
    Guessed,
    /// <summary>PPP authentication roles (PAP request, CHAP challenge/response).</summary>
    Likely,
    /// <summary>Seen in discovery (PADO/PADS sender), or one MAC belongs to this host.</summary>
    Certain,
}

/// <summary>A PPPoE session as the tracker knows it; also the object users see.</summary>
public sealed class PppoeSession
{
    public string? Interface { get; internal set; }
    public int SessionId { get; internal set; }
    public MacAddress ClientMac { get; internal set; }
    public MacAddress ServerMac { get; internal set; }
    public int[] VlanIds => VlanTags.Select(t => t.Id).ToArray();
    public string? ServiceName { get; internal set; }
    public string? AcName { get; internal set; }
    public string? HostUniq { get; internal set; }
    [JsonConverter(typeof(JsonStringEnumConverter))]
    public SessionState State { get; internal set; }
    public DateTimeOffset FirstSeen { get; internal set; }
    public DateTimeOffset LastSeen { get; internal set; }
    public long Frames => FramesFromClient + FramesFromServer;
    public long Bytes => BytesFromClient + BytesFromServer;
    public long FramesFromClient { get; internal set; }
    public long FramesFromServer { get; internal set; }
    public long BytesFromClient { get; internal set; }
    public long BytesFromServer { get; internal set; }
    [JsonConverter(typeof(JsonStringEnumConverter))]
    public RoleConfidence RoleConfidence { get; internal set; }
    public string RoleEvidence { get; internal set; } = "none yet";
    [JsonIgnore] public VlanTag[] VlanTags { get; internal set; } = Array.Empty<VlanTag>();
    [JsonIgnore] public bool RolesKnown => RoleConfidence != RoleConfidence.Unknown;

    // Unanswered-echo evidence, counted per MAC until roles are known.
    internal long EchoRequestsFromClientMac;
    internal long EchoRequestsFromServerMac;

    internal void SwapRoles()
    {
        (ClientMac, ServerMac) = (ServerMac, ClientMac);
        (FramesFromClient, FramesFromServer) = (FramesFromServer, FramesFromClient);
        (BytesFromClient, BytesFromServer) = (BytesFromServer, BytesFromClient);
        (EchoRequestsFromClientMac, EchoRequestsFromServerMac) = (EchoRequestsFromServerMac, EchoRequestsFromClientMac);
    }

    public PppoeSession Clone() => (PppoeSession)MemberwiseClone();

    public override string ToString() =>
        $"{Interface} sid={SessionId} client={ClientMac} ac={ServerMac} {State} ({RoleConfidence}: {RoleEvidence})";
}
