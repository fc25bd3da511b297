using PppoeProxy.Cli;
using Xunit;

namespace PppoeProxy.Tests.Cli;

/// <summary>`pppoeproxy status` pointed at sockets that are not a running proxy: one line that says which case it is.</summary>
public class StatusCommandTests
{
    [Fact]
    public void AMissingSocketSaysSoOnceNotCannotAssignRequestedAddress()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ppx-missing-{Guid.NewGuid():N}.sock");
        var r = CliRunner.Run("status", "--socket", path);
        Assert.Equal(ExitCodes.RuntimeError, r.ExitCode);
        var line = Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("no such status socket", line);
        Assert.DoesNotContain("Cannot assign requested address", line);
        Assert.Equal(1, CountOf(line, path)); // the runtime's message repeated the path
    }

    [Fact]
    public void ASocketLeftByAKilledProxySaysNothingListensThere()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ppx-stale-{Guid.NewGuid():N}.sock");
        // Bound and closed, the file left behind as after SIGKILL. Not with .NET: its Socket deletes the file it bound.
        var made = NetnsLab.Run("/usr/bin/python3", new[] { "-c", $"import socket; s = socket.socket(socket.AF_UNIX); s.bind('{path}'); s.close()" },
            TimeSpan.FromSeconds(10));
        Assert.True(made.Ok && File.Exists(path), made.ToString());
        try
        {
            var r = CliRunner.Run("status", "--socket", path);
            Assert.Equal(ExitCodes.RuntimeError, r.ExitCode);
            var line = Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("nothing listens there", line);
            Assert.Equal(1, CountOf(line, path));
        }
        finally { File.Delete(path); }
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;
}
