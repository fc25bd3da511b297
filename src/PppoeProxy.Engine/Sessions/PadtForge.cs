using System.Text;
using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Engine.Sessions;

/// <summary>What to terminate and how.</summary>
public sealed record PadtRequest
{
    public required string Interface { get; init; }
    public required ushort SessionId { get; init; }
    public required MacAddress ClientMac { get; init; }
    public required MacAddress ServerMac { get; init; }
    public IReadOnlyList<VlanTag> VlanTags { get; init; } = Array.Empty<VlanTag>();
    /// <summary>Carried in a Generic-Error tag, so the AC's log says why.</summary>
    public string? Message { get; init; }
    /// <summary>Send an LCP Terminate-Request first: RFC 2516 forbids PPP packets after the PADT.</summary>
    public bool LcpTerminate { get; init; }
    /// <summary>Also tell the client, forged from the AC's MAC.</summary>
    public bool TowardClient { get; init; }

    public static PadtRequest ForSession(PppoeSession session, string? message = null, bool lcpTerminate = false,
        bool towardClient = false) => new()
    {
        Interface = session.Interface ?? throw new ArgumentException("the session has no interface"),
        SessionId = (ushort)session.SessionId,
        ClientMac = session.ClientMac,
        ServerMac = session.ServerMac,
        VlanTags = session.VlanTags,
        Message = message,
        LcpTerminate = lcpTerminate,
        // When we could not tell which side is the AC, the PADT has to go both ways.
        TowardClient = towardClient || !session.RolesKnown,
    };
}

/// <summary>Builds the frames that end a session: what pppoesk did, with the direction checked.</summary>
public static class PadtForge
{
    public const ushort MaxSessionId = 0xFFFE;

    public static PppoeFrame Padt(MacAddress source, MacAddress destination, ushort sessionId,
        IReadOnlyList<VlanTag>? vlans = null, string? message = null)
    {
        var tags = new List<PppoeTag>();
        if (!string.IsNullOrEmpty(message)) tags.Add(new PppoeTag(PppoeTagType.GenericError, message));
        return PppoeFrame.Discovery(PppoeCode.PADT, source, destination, sessionId, tags, vlans);
    }

    public static PppoeFrame LcpTerminateRequest(MacAddress source, MacAddress destination, ushort sessionId,
        byte identifier, IReadOnlyList<VlanTag>? vlans = null, string? reason = null)
    {
        var data = Encoding.UTF8.GetBytes(reason ?? "");
        int lcpLength = 4 + data.Length;
        var payload = new byte[2 + lcpLength];
        payload[0] = 0xC0; payload[1] = 0x21;
        payload[2] = PppProtocols.LcpTerminateRequest;
        payload[3] = identifier;
        payload[4] = (byte)(lcpLength >> 8); payload[5] = (byte)lcpLength;
        data.CopyTo(payload, 6);
        return PppoeFrame.Session(source, destination, sessionId, payload, vlans);
    }

    /// <summary>The frames in sending order: LCP Terminate-Requests first, then the PADTs.</summary>
    public static IReadOnlyList<PppoeFrame> Build(PadtRequest request)
    {
        if (request.SessionId is 0 or > MaxSessionId)
            throw new ArgumentOutOfRangeException(nameof(request), $"session id {request.SessionId} is not 1..{MaxSessionId}");
        var frames = new List<PppoeFrame>();
        if (request.LcpTerminate)
        {
            byte identifier = (byte)Random.Shared.Next(256);
            frames.Add(LcpTerminateRequest(request.ClientMac, request.ServerMac, request.SessionId, identifier, request.VlanTags, request.Message));
            if (request.TowardClient)
                frames.Add(LcpTerminateRequest(request.ServerMac, request.ClientMac, request.SessionId, identifier, request.VlanTags, request.Message));
        }
        frames.Add(Padt(request.ClientMac, request.ServerMac, request.SessionId, request.VlanTags, request.Message));
        if (request.TowardClient)
            frames.Add(Padt(request.ServerMac, request.ClientMac, request.SessionId, request.VlanTags, request.Message));
        return frames;
    }
}
