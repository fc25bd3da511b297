using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Tunnel.Limits;
using Xunit;

namespace PppoeProxy.Tests.Cli;

/// <summary>`pppoeproxy status` shows a server's session budget (--max-sessions) and says nothing of one without it.</summary>
public class StatusBudgetTests
{
    private static ProxyStatus Status(SessionBudgetStatus? budget) =>
        new("server", "wan0", "127.0.0.1:4789", "plain text", "transparent", Array.Empty<PeerStatus>(), Array.Empty<PppoeSession>(),
            new TunnelCounters().Snapshot(), Array.Empty<string>()) { SessionBudget = budget };

    [Fact]
    public void ReadableAndJsonStatusShowTheBudget()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ppx-status-{Guid.NewGuid():N}.sock");
        using (StatusEndpoint.TryOpen(path, () => Status(new SessionBudgetStatus(2, 1, 1)), NullLogger.Instance))
        {
            var r = CliRunner.Run("status", "--socket", path);
            Assert.True(r.ExitCode == 0, r.Error);
            Assert.Contains("  sessions 1/2 (budget), 1 discovery(ies) in flight", r.OutLines.Select(l => "  " + l));
            var json = CliRunner.Run("status", "--socket", path, "--json");
            var budget = JsonDocument.Parse(json.OutLines[0]).RootElement.GetProperty("sessionBudget");
            Assert.Equal((2, 1, 1), (budget.GetProperty("max").GetInt32(), budget.GetProperty("sessions").GetInt32(), budget.GetProperty("discoveries").GetInt32()));
        }
        using (StatusEndpoint.TryOpen(path, () => Status(null), NullLogger.Instance))
        {
            var r = CliRunner.Run("status", "--socket", path);
            Assert.True(r.ExitCode == 0, r.Error);
            Assert.DoesNotContain("(budget)", r.Out);
        }
    }
}
