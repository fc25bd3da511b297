using System.Text.Json.Serialization;
using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Engine.Sessions;

/// <summary>A PPPoE session as the tracker knows it; also the object users see.</summary>
public sealed class PppoeSession
{
    [JsonInclude] public string? Interface { get; internal set; }
    [JsonInclude] public int SessionId { get; internal set; }
    [JsonInclude] public MacAddress ClientMac { get; internal set; }
    [JsonInclude] public MacAddress ServerMac { get; internal set; }
    [JsonInclude]
    public int[] VlanIds
    {
        get => VlanTags.Select(t => t.Id).ToArray();
        // Read back from status JSON: the ids survive, the exact TPIDs need not.
        private set => VlanTags = VlanTag.FromIds(value);
    }
    [JsonInclude] public string? ServiceName { get; internal set; }
    [JsonInclude] public string? AcName { get; internal set; }
    [JsonInclude] public string? HostUniq { get; internal set; }
    [JsonConverter(typeof(JsonStringEnumConverter))]
    [JsonInclude] public SessionState State { get; internal set; }
    [JsonInclude] public DateTimeOffset FirstSeen { get; internal set; }
    [JsonInclude] public DateTimeOffset LastSeen { get; internal set; }
    /// <summary>Last frame the client sent: a ghost's AC keeps LastSeen fresh with echoes, never this.</summary>
    [JsonInclude] public DateTimeOffset? LastFromClient { get; internal set; }
    [JsonInclude] public DateTimeOffset? LastFromServer { get; internal set; }
    /// <summary>For sessions read from a file: the time of the capture's last frame, which idle times count to.</summary>
    [JsonIgnore] public DateTimeOffset? CaptureEnd { get; internal set; }
    public long Frames => FramesFromClient + FramesFromServer;
    public long Bytes => BytesFromClient + BytesFromServer;
    [JsonInclude] public long FramesFromClient { get => Volatile.Read(ref _framesFromClient); internal set => _framesFromClient = value; }
    [JsonInclude] public long FramesFromServer { get => Volatile.Read(ref _framesFromServer); internal set => _framesFromServer = value; }
    [JsonInclude] public long BytesFromClient { get => Volatile.Read(ref _bytesFromClient); internal set => _bytesFromClient = value; }
    [JsonInclude] public long BytesFromServer { get => Volatile.Read(ref _bytesFromServer); internal set => _bytesFromServer = value; }

    // Fields so the proxy's threads (capture and tunnel readers) can count with Interlocked.
    private long _framesFromClient, _framesFromServer, _bytesFromClient, _bytesFromServer;

    internal void CountFrame(bool fromClient, int bytes)
    {
        if (fromClient) { Interlocked.Increment(ref _framesFromClient); Interlocked.Add(ref _bytesFromClient, bytes); }
        else { Interlocked.Increment(ref _framesFromServer); Interlocked.Add(ref _bytesFromServer, bytes); }
    }
    [JsonConverter(typeof(JsonStringEnumConverter))]
    [JsonInclude] public RoleConfidence RoleConfidence { get; internal set; }
    [JsonInclude] public string RoleEvidence { get; internal set; } = "none yet";
    [JsonIgnore] public VlanTag[] VlanTags { get; internal set; } = Array.Empty<VlanTag>();
    [JsonIgnore] public bool RolesKnown => RoleConfidence != RoleConfidence.Unknown;

    /// <summary>The tunnel (id) that carries this session, for per-tunnel limits; 0 for none. Follows the session
    /// to a new tunnel when its client reconnects.</summary>
    internal long Owner { get; set; }

    /// <summary>The PPPoE MTU when LCP agreed no MRU (RFC 2516: at most 1492).</summary>
    public const int DefaultMtu = 1492;

    // MRUs from the last LCP Configure-Ack each way (0: none agreed, the default applies), for --clamp-mss auto.
    // Written by one LCP frame, read per TCP SYN: a ushort is read and written whole.
    internal ushort ClientMru;
    internal ushort AcMru;

    /// <summary>The largest packet both ways: the smaller of the MRUs the two sides agreed in LCP.</summary>
    internal int Mtu => Math.Min(ClientMru == 0 ? DefaultMtu : ClientMru, AcMru == 0 ? DefaultMtu : AcMru);

    // Unanswered-echo evidence, counted per MAC until roles are known.
    internal long EchoRequestsFromClientMac;
    internal long EchoRequestsFromServerMac;
    /// <summary>The AC's Echo-Requests since the client last said anything: the ghost guard's passive evidence.</summary>
    internal int AcEchoesSinceClientSpoke;

    internal void SwapRoles()
    {
        (ClientMac, ServerMac) = (ServerMac, ClientMac);
        (FramesFromClient, FramesFromServer) = (FramesFromServer, FramesFromClient);
        (BytesFromClient, BytesFromServer) = (BytesFromServer, BytesFromClient);
        (LastFromClient, LastFromServer) = (LastFromServer, LastFromClient);
        (EchoRequestsFromClientMac, EchoRequestsFromServerMac) = (EchoRequestsFromServerMac, EchoRequestsFromClientMac);
        AcEchoesSinceClientSpoke = 0;
        (ClientMru, AcMru) = (AcMru, ClientMru);
    }

    public PppoeSession Clone() => (PppoeSession)MemberwiseClone();

    public override string ToString() =>
        $"{Interface} sid={SessionId} client={ClientMac} ac={ServerMac} {State} ({RoleConfidence}: {RoleEvidence})";
}
