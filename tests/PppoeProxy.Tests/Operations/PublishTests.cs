using System.Text.Json;
using Xunit;

namespace PppoeProxy.Tests.Operations;

/// <summary>docs/deploy.md's install path: the self-contained single-file executable must work on its own.</summary>
public class PublishTests
{
    [Fact]
    public void TheSingleFileExecutableRunsWithoutTheSdk()
    {
        var work = Directory.CreateTempSubdirectory("ppx-publish").FullName;
        var output = Path.Combine(work, "out");
        try
        {
            // A copy of the sources: publishing in place would rebuild the suite's own binaries under it.
            File.Copy(RepoPaths.Of("Directory.Build.props"), Path.Combine(work, "Directory.Build.props"));
            foreach (var project in new[] { "PppoeProxy.Engine", "PppoeProxy.Cli" }) CopySources(RepoPaths.Of("src", project), Path.Combine(work, "src", project));
            var publish = NetnsLab.Run("dotnet", new[]
            {
                "publish", Path.Combine(work, "src", "PppoeProxy.Cli", "PppoeProxy.Cli.csproj"), "-c", "Release", "-r", "linux-x64",
                "--self-contained", "-p:PublishSingleFile=true", "-o", output, "-nologo",
            }, TimeSpan.FromMinutes(5));
            Assert.True(publish.Ok, publish.ToString());
            var exe = Path.Combine(output, "pppoeproxy");
            Assert.True(File.Exists(exe), "no single-file executable");

            // No DOTNET_ROOT, no dotnet on PATH: only what the file carries.
            var env = new[] { "env", "-i", "PATH=/usr/bin:/bin", exe };
            var sessions = NetnsLab.Run("/usr/bin/env", env.Skip(1).Concat(new[] { "sessions", "--read", RepoPaths.SampleCapture, "--json" }).ToArray(), TimeSpan.FromSeconds(60));
            Assert.True(sessions.Ok, sessions.ToString());
            var ids = sessions.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("sessionId").GetInt32()).OrderBy(i => i).ToArray();
            Assert.Equal(new[] { 0x42, 0x1a2b }, ids);

            if (LabEnvironment.IsRoot())
            {
                // libpcap is found from the single file too (a live read on loopback, bounded).
                var live = NetnsLab.Run("/usr/bin/env", env.Skip(1).Concat(new[] { "frames", "--interface", "lo", "--timeout", "0.5" }).ToArray(), TimeSpan.FromSeconds(30));
                Assert.True(live.Ok, live.ToString());
            }
        }
        finally { Directory.Delete(work, true); }
    }

    private static void CopySources(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith("bin" + Path.DirectorySeparatorChar) || relative.StartsWith("obj" + Path.DirectorySeparatorChar)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            File.Copy(file, Path.Combine(to, relative));
        }
    }
}
