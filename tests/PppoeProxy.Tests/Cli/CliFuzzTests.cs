using System.Diagnostics;
using System.Globalization;
using PppoeProxy.Cli;
using Xunit;

namespace PppoeProxy.Tests.Cli;

/// <summary>
/// Property tests of the command line: seeded random argument vectors and config files, built from
/// every command, flag and kind of hostile value (NaN, infinities, overflowing numbers, text where a
/// number goes, special files, fingerprints one digit off). Whatever the input: exit 0, 1 or 2,
/// never a stack frame, and a failure is exactly one line on stderr.
/// </summary>
public sealed class CliFuzzTests
{
    private const string Fp = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static readonly string[] Words =
    {
        "server", "client", "frames", "sessions", "discover", "kill", "padt", "status", "cert", "new", "--interface", "-i",
        "--listen", "--server", "--allow", "--mac-mode", "--cert", "--key", "--trust", "--insecure", "--grace", "--stats",
        "--keepalive", "--timeout", "--status-socket", "--log-level", "--config", "--json", "--read", "--vlan", "--session-id",
        "--ac-mac", "--client-mac", "--yes", "--help", "--metrics", "-interface", "-mode", "-address", "-allow", "nosuch0", "", "-",
        "--", "127.0.0.1:4000", "[::1]:0", "not:an:endpoint", "10.0.0.0/33", "rewrite", "sideways", Fp, Fp[..63], Fp + "0",
        "/nonexistent/file", "/proc/self/mem", "/dev/zero", "/", "none", "aa:bb:cc:dd:ee:ff", "zz", "1,2,3", "Trace", "bogus",
        "--grace=abc", "--config=/nonexistent", "--stats=NaN", new string('x', 5000), "ünïcødé", "-interface=nosuch0",
    };

    private static readonly string[] Settings =
    {
        "interface", "listen", "server", "allow", "mac-mode", "cert", "key", "trust", "insecure", "grace", "stats",
        "keepalive", "status-socket", "log-level", "metrics", "bogus", "",
    };

    /// <summary>Numbers and near-numbers: the values that overflowed, crashed or slipped through before.</summary>
    private static string Value(Random random) => random.Next(14) switch
    {
        0 => "NaN",
        1 => random.Next(2) == 0 ? "Infinity" : "-Infinity",
        2 => "1e" + random.Next(-400, 400).ToString(CultureInfo.InvariantCulture),
        3 => new string('9', random.Next(10, 400)),
        4 => "-" + random.Next().ToString(CultureInfo.InvariantCulture),
        5 => "0x" + random.Next().ToString("x", CultureInfo.InvariantCulture),
        6 => (random.NextDouble() * 1000).ToString("R", CultureInfo.InvariantCulture),
        7 => "1,5",
        8 => " 1 ",
        9 => "٣",
        10 => new string(Enumerable.Range(0, random.Next(1, 70)).Select(_ => "0123456789abcdefg"[random.Next(17)]).ToArray()),
        11 => random.Next(0, 70000).ToString(CultureInfo.InvariantCulture),
        12 => "\0",
        _ => Words[random.Next(Words.Length)],
    };

    private static string[] Vector(Random random) =>
        Enumerable.Range(0, random.Next(0, 10)).Select(_ => random.Next(3) == 0 ? Value(random) : Words[random.Next(Words.Length)]).ToArray();

    private static string Shown(IEnumerable<string> args) => string.Join(' ', args.Select(a => a.Length > 40 ? a[..40] + "..." : a));

    private static void AssertWellBehaved(int exitCode, string stderr, string shown)
    {
        Assert.True(exitCode is 0 or 1 or 2, $"exit {exitCode} for: {shown}\n{stderr}");
        Assert.False(stderr.Contains("   at ") || stderr.Contains("Unhandled"), $"stack trace for: {shown}\n{stderr}");
        if (exitCode == 0) return;
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"{lines.Length} stderr lines for: {shown}\n{stderr}");
        Assert.StartsWith("pppoeproxy: ", lines[0]);
    }

    [Fact]
    public void RandomArgumentVectorsNeverCrashTheParser()
    {
        var random = new Random(20261202);
        for (int round = 0; round < 600; round++)
        {
            var args = Vector(random);
            // Something that could really start a proxy would wait for a signal: all interfaces here are fake.
            var r = CliRunner.Run(args);
            AssertWellBehaved(r.ExitCode, r.Error, Shown(args));
        }
    }

    [Fact]
    public void RandomConfigFilesAreUsageErrorsNotCrashes()
    {
        var random = new Random(1202);
        var path = Path.Combine(Path.GetTempPath(), $"ppx-fuzz-{Guid.NewGuid():N}.conf");
        try
        {
            for (int round = 0; round < 200; round++)
            {
                var lines = Enumerable.Range(0, random.Next(1, 6)).Select(_ => random.Next(8) == 0
                    ? Value(random)
                    : $"{Settings[random.Next(Settings.Length)]} = {(random.Next(2) == 0 ? Value(random) : Words[random.Next(Words.Length)])}");
                File.WriteAllLines(path, new[] { "interface = nosuch0" }.Concat(lines));
                var args = new[] { random.Next(2) == 0 ? "server" : "client", "--config", path, "--status-socket", "none" };
                var r = CliRunner.Run(args);
                AssertWellBehaved(r.ExitCode, r.Error, string.Join(" | ", lines));
                Assert.NotEqual(ExitCodes.Success, r.ExitCode); // nosuch0 cannot run
            }
        }
        finally { File.Delete(path); }
    }

    /// <summary>
    /// The real executable, not the in-process entry point: a crash on another thread or in the
    /// runtime (exit 134, "Unhandled exception") shows only here.
    /// </summary>
    [Fact]
    public void RandomArgumentVectorsNeverCrashTheExecutable()
    {
        var random = new Random(7);
        var vectors = Enumerable.Range(0, 24).Select(_ => Vector(random)).ToList();
        Parallel.ForEach(vectors, new ParallelOptions { MaxDegreeOfParallelism = 4 }, args =>
        {
            var psi = new ProcessStartInfo("dotnet")
            {
                RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false,
            };
            psi.ArgumentList.Add(RepoPaths.CliDll);
            foreach (var a in args.Where(a => !a.Contains('\0'))) psi.ArgumentList.Add(a);
            using var process = Process.Start(psi)!;
            process.StandardInput.Close();
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"still running after 30 s: {Shown(args)}");
            }
            AssertWellBehaved(process.ExitCode, stderr.Result, Shown(args));
        });
    }
}
