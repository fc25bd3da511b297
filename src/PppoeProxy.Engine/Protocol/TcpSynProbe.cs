namespace PppoeProxy.Engine.Protocol;

/// <summary>What <see cref="TcpMss.Probe"/> found in a PPPoE session frame.</summary>
public enum TcpSynProbe
{
    /// <summary>Not IPv4/IPv6 over PPP, not TCP, or TCP without SYN (or with RST): nothing to do.</summary>
    NotTcpSyn,
    /// <summary>An IP packet we could not check and left alone: bad version or lengths, a fragment, an
    /// IPv6 extension header we do not walk (fragment, AH, mobility...), a malformed TCP option list.</summary>
    Unchecked,
    /// <summary>A SYN without an MSS option: left alone (the peer then assumes 536 or 1220).</summary>
    NoMssOption,
    /// <summary>A SYN with an MSS option, at the offsets returned.</summary>
    HasMss,
}
