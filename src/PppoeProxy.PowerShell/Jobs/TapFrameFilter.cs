using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.PowerShell.Jobs;

/// <summary>
/// Which tapped frames a watcher wants. By default only what tells the story of a session
/// (discovery, LCP, authentication, IPCP/IPv6CP); data frames only on request, since they are
/// the bulk of the traffic and each one shown costs an allocation on a forwarding thread.
/// </summary>
public sealed class TapFrameFilter
{
    public TapFrameFilter(bool includeData) => IncludeData = includeData;

    public bool IncludeData { get; }

    public bool Accepts(in FrameView frame) => IncludeData || IsControl(frame);

    /// <summary>Discovery frames and PPP control protocols; anything unparsable counts as control (worth seeing).</summary>
    public static bool IsControl(in FrameView frame)
    {
        if (frame.IsDiscovery) return true;
        if (!frame.IsSessionStage) return false;
        if (frame.PppProtocolFieldSize == 0) return true;
        return PppProtocols.IsControl(frame.PppProtocol);
    }
}
