using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Cli;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Tests.Cli;
using PppoeProxy.Tests.Diagnostics;
using PppoeProxy.Tests.Integration;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>
/// The status socket belongs to the instance that made it: a second instance on the same path
/// stops (it used to delete the file, take the path, and on exit leave the first unreachable); a
/// file left by a dead instance is replaced; an instance removes only its own file.
/// </summary>
public sealed class StatusEndpointOwnershipTests
{
    private static readonly ProxyStatus Idle = new("server", "lo", "127.0.0.1:1", "plain text", "transparent",
        Array.Empty<PeerStatus>(), Array.Empty<PppoeProxy.Engine.Sessions.PppoeSession>(),
        new TunnelCountersSnapshot(0, 0, 0, 0, new Dictionary<string, long>()), Array.Empty<string>());

    private static string NewPath() => Path.Combine(Path.GetTempPath(), $"ppx-own-{Guid.NewGuid():N}.sock");

    [Fact]
    public void ASecondInstanceDoesNotTakeOverALiveSocket()
    {
        var path = NewPath();
        using var first = StatusEndpoint.TryOpen(path, () => Idle, NullLogger.Instance);
        Assert.NotNull(first);
        var refused = Assert.Throws<StatusSocketInUseException>(() => StatusEndpoint.TryClaim(path, NullLogger.Instance));
        Assert.Contains(path, refused.Message);
        Assert.Contains("\"role\":\"server\"", StatusEndpoint.Query(path, TimeSpan.FromSeconds(5))); // the first still answers
    }

    [Fact]
    public void ASocketLeftByADeadInstanceIsReplaced()
    {
        var path = NewPath();
        var made = NetnsLab.Run("/usr/bin/python3", new[] { "-c", $"import socket; s = socket.socket(socket.AF_UNIX); s.bind('{path}'); s.close()" },
            TimeSpan.FromSeconds(10));
        Assert.True(made.Ok && File.Exists(path), made.ToString());
        var log = new RecordingLogger();
        using var endpoint = StatusEndpoint.TryOpen(path, () => Idle, log);
        Assert.NotNull(endpoint);
        Assert.Contains(log.Lines, l => l.Text.Contains($"removed stale status socket {path}"));
        Assert.Contains("\"role\":\"server\"", StatusEndpoint.Query(path, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void AnInstanceRemovesOnlyItsOwnFileOnExit()
    {
        var path = NewPath();
        var first = StatusEndpoint.TryOpen(path, () => Idle, NullLogger.Instance);
        Assert.NotNull(first);
        File.Delete(path); // by hand, or by an old version that took the path over
        using var second = StatusEndpoint.TryOpen(path, () => Idle with { Role = "client" }, NullLogger.Instance);
        Assert.NotNull(second);
        first.Dispose();
        Assert.True(File.Exists(path), "the first instance's exit removed the second's socket");
        Assert.Contains("\"role\":\"client\"", StatusEndpoint.Query(path, TimeSpan.FromSeconds(5)));
        second.Dispose();
        Assert.False(File.Exists(path), "the second instance left its own socket behind");
    }

    [RootFact]
    public void ASecondDaemonOnTheSameSocketExitsWithOneLineAndTheFirstStaysReachable()
    {
        var path = NewPath();
        using var first = ProxyProcess.Cli("first", "server", "--interface", "lo", "--listen", "127.0.0.1:0", "--insecure", "--status-socket", path);
        first.WaitForLog("status socket", TimeSpan.FromSeconds(30));
        using var second = ProxyProcess.Cli("second", "server", "--interface", "lo", "--listen", "127.0.0.1:0", "--insecure", "--status-socket", path,
            "--stats", "1");
        Assert.True(NetnsLab.WaitUntil(() => second.HasExited, TimeSpan.FromSeconds(30)), "second instance still running\n" + second);
        second.Stop();
        Assert.Equal(ExitCodes.RuntimeError, second.ExitCode);
        var line = Assert.Single(second.StderrLines, l => l.Length > 0);
        Assert.Equal($"pppoeproxy: status socket {path} is in use by another running pppoeproxy (stop that one, or give this one its own --status-socket)", line);
        var status = CliRunner.Run("status", "--socket", path, "--json");
        Assert.Equal(ExitCodes.Success, status.ExitCode);
        Assert.Contains("\"role\":\"server\"", status.Out);
        Assert.True(first.Stop(), "first instance did not stop gracefully\n" + first);
        Assert.False(File.Exists(path), "the first instance left its socket behind");
    }

    [Fact]
    public void AReaderThatNeverReadsDoesNotBlockTheNextOneForLong()
    {
        var path = NewPath();
        // Megabytes of status: more than the socket buffers hold, so the server's send must wait for the reader.
        var sessions = Enumerable.Range(1, 20_000).Select(i => new PppoeProxy.Engine.Sessions.PppoeSession
        {
            SessionId = i, Interface = "lo", ServiceName = new string('s', 64), AcName = new string('a', 64),
        }).ToList();
        var big = Idle with { Sessions = sessions };
        using var endpoint = StatusEndpoint.TryOpen(path, () => big, NullLogger.Instance);
        using var stalled = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        stalled.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        Thread.Sleep(500); // the server is now stuck writing to it

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var answer = StatusEndpoint.Query(path, TimeSpan.FromSeconds(30));
        Assert.Contains("\"sessions\"", answer);
        Assert.True(watch.Elapsed < StatusEndpoint.SendTimeout + TimeSpan.FromSeconds(10), $"waited {watch.Elapsed}");
    }
}
