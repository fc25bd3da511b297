using System.Diagnostics;
using Xunit;

namespace PppoeProxy.Tests.Protocol;

/// <summary>tshark and scapy as independent decoders/encoders; tests skip, loudly, when they are absent.</summary>
internal static class ExternalTools
{
    public const string Python = "/usr/bin/python3";
    public static readonly Lazy<string?> Tshark = new(() => Which("tshark"));
    public static readonly Lazy<bool> Scapy = new(() => File.Exists(Python) && Run(Python, "-c \"import scapy.all\"", out _) == 0);

    public static string? Which(string tool) =>
        Run("/usr/bin/env", $"which {tool}", out var output) == 0 && output.Trim().Length > 0 ? output.Trim() : null;

    public static int Run(string file, string arguments, out string stdout, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        try
        {
            using var process = Process.Start(info)!;
            var errTask = process.StandardError.ReadToEndAsync();
            stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) stdout += errTask.Result;
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception e) { stdout = e.Message; return -1; }
    }

    /// <summary>Runs tshark on a pcap, one row per frame, one column per field (occurrences joined by '|').</summary>
    public static List<Dictionary<string, string>> TsharkFields(string pcap, params string[] fields)
    {
        string args = $"-r \"{pcap}\" -n -T fields -E separator=/t -E occurrence=a -E aggregator=| "
            + string.Join(" ", fields.Select(f => "-e " + f));
        int rc = Run(Tshark.Value!, args, out var output);
        Assert.True(rc == 0, $"tshark failed ({rc}): {output}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var cells = line.TrimEnd('\r').Split('\t');
            return fields.Select((f, i) => (f, i < cells.Length ? cells[i] : "")).ToDictionary(p => p.f, p => p.Item2);
        }).ToList();
    }

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "pppoe-codec-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}

/// <summary>A fact that skips with a reason when tshark (and, if asked, scapy) is not installed.</summary>
public sealed class TsharkFactAttribute : FactAttribute
{
    public TsharkFactAttribute(bool needsScapy = false)
    {
        if (ExternalTools.Tshark.Value is null) Skip = "tshark not installed (apt-get install tshark): cross-check skipped";
        else if (needsScapy && !ExternalTools.Scapy.Value) Skip = "scapy not installed (apt-get install python3-scapy): cross-check skipped";
    }
}
