using System.Text.Json;
using PppoeProxy.Tests.Cli;
using Xunit;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// The second seed's whole job against real rp-pppoe: a client killed with SIGKILL leaves a ghost
/// session on pppoe-server (its per-session process keeps probing); our tools, run on the client's
/// host, must find it and end it with a PADT forged from the client's MAC.
/// </summary>
public class GhostKillerTests
{
    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(40);

    private static (NetnsLab Lab, LabSession Session) Ghost()
    {
        var lab = NetnsLab.Start();
        try
        {
            var session = lab.Dial();
            lab.MakeGhost();
            Assert.True(lab.AcSessionProcessAlive(session.SessionId), "the AC should keep the ghost session\n" + lab.Logs());
            return (lab, session);
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    [RootFact]
    public void SessionsFindsTheGhostWithCertainRoles()
    {
        var (lab, ghost) = Ghost();
        using var _ = lab;
        var result = CliInNamespace.Run(lab.HomeNs, CliTimeout, "sessions", "--interface", lab.HomeIf, "--timeout", "3.5", "--json");
        Assert.True(result.Ok, result.ToString());
        var sessions = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var found = Assert.Single(sessions, s => s.GetProperty("sessionId").GetInt32() == ghost.SessionId);
        Assert.Equal(ghost.ClientMac, found.GetProperty("clientMac").GetString());
        Assert.Equal(ghost.AcMac, found.GetProperty("serverMac").GetString());
        Assert.Equal(lab.HomeIf, found.GetProperty("interface").GetString());
        Assert.Equal("Established", found.GetProperty("state").GetString());
        // The client MAC belongs to this host (the home namespace): the strongest evidence.
        Assert.Equal("Certain", found.GetProperty("roleConfidence").GetString());
        Assert.Equal(0, found.GetProperty("framesFromClient").GetInt64());
        Assert.True(found.GetProperty("framesFromServer").GetInt64() >= 2, "the AC's echoes should have been counted");
    }

    [RootFact]
    public void PadtEndsTheGhostAtTheAc()
    {
        var (lab, ghost) = Ghost();
        using var _ = lab;
        var result = CliInNamespace.Run(lab.HomeNs, CliTimeout, "padt", "--interface", lab.HomeIf,
            "--session-id", ghost.SessionId.ToString(), "--client-mac", ghost.ClientMac, "--server-mac", ghost.AcMac,
            "--message", "ghost cleanup", "--lcp-terminate", "--yes");
        Assert.True(result.Ok, result.ToString());
        Assert.Contains("PADT sent", result.Stdout);
        Assert.True(NetnsLab.WaitUntil(() => !lab.AcSessionProcessAlive(ghost.SessionId), TimeSpan.FromSeconds(8)),
            "pppoe-server kept the session after our PADT\n" + lab.Logs());
    }

    [RootFact]
    public void PadtWithoutConsentSendsNothing()
    {
        var (lab, ghost) = Ghost();
        using var _ = lab;
        // Stdin is not a terminal here and there is no --yes: the tool must refuse.
        var result = CliInNamespace.Run(lab.HomeNs, CliTimeout, "padt", "--interface", lab.HomeIf,
            "--session-id", ghost.SessionId.ToString(), "--client-mac", ghost.ClientMac, "--server-mac", ghost.AcMac);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("refusing to send", result.Stderr);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Thread.Sleep(TimeSpan.FromSeconds(2));
        Assert.True(lab.AcSessionProcessAlive(ghost.SessionId), "a refused padt must not end the session");
    }

    [RootFact]
    public void KillSniffsTheGhostAndEndsIt()
    {
        var (lab, ghost) = Ghost();
        using var _ = lab;
        var result = CliInNamespace.Run(lab.HomeNs, CliTimeout, "kill", "--interface", lab.HomeIf, "--timeout", "15", "--yes");
        Assert.True(result.Ok, result.ToString());
        Assert.Contains($"PADT sent for session {ghost.SessionId} ({ghost.ClientMac} -> {ghost.AcMac})", result.Stdout);
        Assert.True(NetnsLab.WaitUntil(() => !lab.AcSessionProcessAlive(ghost.SessionId), TimeSpan.FromSeconds(8)),
            "pppoe-server kept the session after kill\n" + lab.Logs());
    }

    [RootFact]
    public void ACaptureFromElsewhereStillGetsTheRolesRight()
    {
        // pppoesk's bug: in a ghost the first frame is the AC's echo, so "first source = client" is
        // backwards. A capture file carries no local-MAC evidence: only the unanswered echoes tell.
        var (lab, ghost) = Ghost();
        using var _ = lab;
        var file = Path.Combine(Path.GetTempPath(), $"ppx-ghost-{Guid.NewGuid():N}.pcap");
        try
        {
            var dump = NetnsLab.RunIn(lab.HomeNs, TimeSpan.FromSeconds(20), "tcpdump", "-i", lab.HomeIf, "-c", "3", "-w", file, "pppoes");
            Assert.True(dump.Ok, dump.ToString());
            var result = CliRunner.Run("sessions", "--read", file, "--json");
            Assert.Equal(0, result.ExitCode);
            var found = result.OutLines.Select(l => JsonDocument.Parse(l).RootElement)
                .Single(s => s.GetProperty("sessionId").GetInt32() == ghost.SessionId);
            Assert.Equal(ghost.ClientMac, found.GetProperty("clientMac").GetString());
            Assert.Equal(ghost.AcMac, found.GetProperty("serverMac").GetString());
            Assert.Equal("Guessed", found.GetProperty("roleConfidence").GetString());
        }
        finally { File.Delete(file); }
    }

    [RootFact]
    public void DiscoverListsTheAcNameAndService()
    {
        using var lab = NetnsLab.Start();
        var result = CliInNamespace.Run(lab.HomeNs, CliTimeout, "discover", "--interface", lab.HomeIf, "--timeout", "2", "--json");
        Assert.True(result.Ok, result.ToString());
        var offer = JsonDocument.Parse(result.Stdout.Trim().Split('\n').Single()).RootElement;
        Assert.Equal($"LabAC-{lab.Name}", offer.GetProperty("acName").GetString());
        Assert.Equal(lab.MacOf(lab.AcNs, lab.AcIf), offer.GetProperty("acMac").GetString());
        Assert.Contains("internet", offer.GetProperty("services").EnumerateArray().Select(e => e.GetString()));
        Assert.True(offer.GetProperty("cookie").GetBoolean(), "pppoe-server sends an AC-Cookie");
    }

    [RootFact]
    public void LiveCaptureErrorsAreOneLine()
    {
        using var lab = NetnsLab.Start();
        var missing = CliInNamespace.Run(lab.HomeNs, CliTimeout, "frames", "--interface", "nosuch0", "--timeout", "1");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("pppoeproxy: interface 'nosuch0' does not exist", missing.Stderr.Trim());
        NetnsLab.RunIn(lab.HomeNs, TimeSpan.FromSeconds(5), "ip", "link", "set", lab.HomeIf, "down");
        var down = CliInNamespace.Run(lab.HomeNs, CliTimeout, "frames", "--interface", lab.HomeIf, "--timeout", "1");
        Assert.Equal(1, down.ExitCode);
        Assert.Contains("is down", down.Stderr);
        Assert.Single(down.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
