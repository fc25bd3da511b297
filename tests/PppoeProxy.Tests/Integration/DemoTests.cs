using System.Text.RegularExpressions;
using Xunit;

namespace PppoeProxy.Tests.Integration;

/// <summary>The README's second command, run as a user would: it must succeed and leave nothing behind.</summary>
public class DemoTests
{
    [RootFact]
    public void TheDemoBringsASessionUpThroughTheTunnelKillsItAndCleansUp()
    {
        var before = ProcessesNamed("pppoeproxy.dll");
        var result = NetnsLab.Run("/usr/bin/env", new[] { "PPPOEPROXY_DEMO_NOBUILD=1", "bash", RepoPaths.Of("demo.sh") }, TimeSpan.FromSeconds(120));
        var output = result.Stdout + result.Stderr;
        Assert.True(result.Ok, output);
        Assert.Contains("all checks passed", output);
        Assert.Matches(@"session \d+ up: client [0-9a-f:]{17}, AC [0-9a-f:]{17}", output);
        Assert.Contains("PADT sent for session", output);
        Assert.Contains("done: lab removed, nothing left behind", output);

        var lab = Regex.Match(output, @"lab (dm[0-9a-f]{4}):").Groups[1].Value;
        Assert.NotEqual("", lab);
        var namespaces = NetnsLab.Run("ip", new[] { "netns", "list" }, TimeSpan.FromSeconds(5)).Stdout;
        Assert.DoesNotContain(lab, namespaces);
        var links = NetnsLab.Run("ip", new[] { "-o", "link", "show" }, TimeSpan.FromSeconds(5)).Stdout;
        Assert.DoesNotContain(lab + "-", links);
        Assert.False(Directory.Exists($"/tmp/ppx-lab/{lab}"), "lab state left behind");
        // The demo's own proxies name its lab's links: other tests' proxies (a parallel run) must not count.
        Assert.True(NetnsLab.WaitUntil(() => ProcessesNamed("pppoeproxy.dll").Except(before).Count(pid => CommandLine(pid).Contains(lab)) == 0,
            TimeSpan.FromSeconds(5)), "a pppoeproxy process outlived the demo");
    }

    private static string CommandLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '); }
        catch (IOException) { return ""; }
    }

    private static IReadOnlySet<int> ProcessesNamed(string fragment)
    {
        var pids = new HashSet<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(fragment) && NetnsLab.ProcessAlive(pid)) pids.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return pids;
    }
}
