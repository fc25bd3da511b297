namespace PppoeProxy.Engine.Tunnel.Limits;

/// <summary>The refusal cause of a limit's verdict (log key and counter name), shared by the TCP and UDP listeners.</summary>
public static class ProxyLimitCauses
{
    public static string Of(AdmissionVerdict verdict) => "refused-" + verdict switch
    {
        AdmissionVerdict.HandshakesPerSource => "handshakes-per-source",
        AdmissionVerdict.HandshakesEarlyDrop => "handshakes",
        AdmissionVerdict.TunnelsTotal => "tunnels",
        AdmissionVerdict.TunnelsPerSource => "tunnels-per-source",
        _ => "other",
    };
}
