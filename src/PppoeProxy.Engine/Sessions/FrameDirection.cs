namespace PppoeProxy.Engine.Sessions;

/// <summary>
/// Which way a frame travels, when the caller knows. The proxy always knows (a tunnel carries the
/// client's frames, the server's capture hears the AC's), and then roles come from that, never from
/// heuristics; only a standalone sniffer passes <see cref="Unknown"/>.
/// </summary>
public enum FrameDirection
{
    /// <summary>A sniffed frame: roles are learned from discovery, PPP auth and unanswered echoes.</summary>
    Unknown,
    /// <summary>From the PPPoE client toward the AC (source is the client).</summary>
    FromClient,
    /// <summary>From the AC toward the client (source is the AC).</summary>
    FromAc,
}
