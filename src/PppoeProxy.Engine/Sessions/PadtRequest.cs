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
