using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;

namespace PppoeProxy.Cli;

/// <summary>Readable fixed-width tables for people; --json is for programs.</summary>
public static class Tables
{
    public const string FrameHeader = "TIME            INTERFACE  SOURCE            -> DESTINATION       SID    SUMMARY";

    public static string FrameRow(PppoeFrame frame) =>
        $"{frame.Time.ToLocalTime():HH:mm:ss.ffffff} {Fit(frame.Interface ?? "-", 10)} {frame.Source} -> {frame.Destination} " +
        $"{Fit(frame.SessionId.ToString(), 6)} {Vlan(frame.VlanIds)}{frame.Summary}";

    public static void WriteSessions(TextWriter output, IReadOnlyList<PppoeSession> sessions)
    {
        if (sessions.Count == 0)
        {
            output.WriteLine("No PPPoE session seen.");
            return;
        }
        output.WriteLine("INTERFACE  SID    CLIENT MAC         AC MAC             VLAN      STATE        ROLES     FRAMES  SERVICE     AC-NAME");
        foreach (var s in sessions)
        {
            output.WriteLine($"{Fit(s.Interface ?? "-", 10)} {Fit(s.SessionId.ToString(), 6)} {s.ClientMac}  {s.ServerMac}  " +
                $"{Fit(s.VlanIds.Length == 0 ? "-" : string.Join(",", s.VlanIds), 9)} {Fit(s.State.ToString(), 12)} " +
                $"{Fit(s.RoleConfidence.ToString(), 9)} {Fit(s.Frames.ToString(), 7)} {Fit(s.ServiceName ?? "-", 11)} {s.AcName ?? "-"}");
        }
    }

    public static void WriteOffers(TextWriter output, IReadOnlyList<PppoeOffer> offers)
    {
        foreach (var offer in offers)
        {
            output.WriteLine($"Access-Concentrator: {offer.AcName}");
            output.WriteLine($"AC-Ethernet-Address: {offer.AcMac}");
            foreach (var service in offer.Services) output.WriteLine($"       Service-Name: {service}");
            output.WriteLine($"         Got cookie: {(offer.Cookie ? "yes" : "no")}");
            if (offer.MaxPayload is int max) output.WriteLine($"    PPP-Max-Payload: {max}");
            output.WriteLine("--------------------------------------------------");
        }
    }

    private static string Vlan(int[] ids) => ids.Length == 0 ? "" : $"vlan {string.Join(".", ids)} ";

    private static string Fit(string text, int width) => text.Length >= width ? text : text.PadRight(width);
}
