using System.Text;
using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Engine.Sessions;

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
