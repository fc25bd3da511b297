using System.Net;
using PppoeProxy.Engine.Guard;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Tests.Diagnostics;
using PppoeProxy.Tests.Integration;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>
/// The start says which of --max-sessions and --ghost-guard off took effect (the clamp already did): an admin
/// who set them in a config file or a cmdlet had only `status` to check, and the guard's state not even there.
/// </summary>
public sealed class StartupLogTests
{
    [RootFact]
    public void AServerWithABudgetAndTheGuardOffSaysSo()
    {
        var log = new RecordingLogger();
        using (var server = new ProxyServer(new ServerOptions
        {
            Interface = "lo", Listen = new IPEndPoint(IPAddress.Loopback, 0), MaxSessions = 1,
            GhostGuard = new GhostGuardOptions { Enabled = false },
        }, log))
            server.Start();
        Assert.Contains(log.Lines, l => l.Text == "at most 1 session(s) at the AC through all tunnels, discoveries included (--max-sessions)");
        Assert.Contains(log.Lines, l => l.Text.StartsWith("ghost guard off:"));
        // The refusal line's start, which the lab tests and admins count, stays the refusals'.
        Assert.DoesNotContain(log.Lines, l => l.Text.Contains("session budget"));
    }

    [RootFact]
    public void TheDefaultsAddNoLines()
    {
        var log = new RecordingLogger();
        using (var server = new ProxyServer(new ServerOptions { Interface = "lo", Listen = new IPEndPoint(IPAddress.Loopback, 0) }, log))
            server.Start();
        Assert.DoesNotContain(log.Lines, l => l.Text.Contains("(--max-sessions)") || l.Text.StartsWith("ghost guard"));
    }
}
