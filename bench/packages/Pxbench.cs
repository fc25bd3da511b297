using System.Diagnostics;

namespace PackageBench;

/// <summary>Runs the C generator/sink (bench/pxbench.c) inside the generator's namespace.</summary>
public sealed class Pxbench : IDisposable
{
    private readonly Process _process;

    private Pxbench(Process process) => _process = process;

    public static Pxbench Start(string ns, string pxbench, params string[] args)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "netns", "exec", ns, pxbench }.Concat(args)) start.ArgumentList.Add(arg);
        return new Pxbench(Process.Start(start)!);
    }

    /// <summary>For the sink: blocks until it has bound its socket.</summary>
    public void WaitReady()
    {
        var line = _process.StandardOutput.ReadLine();
        if (line != "ready") throw new InvalidOperationException($"pxbench sink did not start: {line} {_process.StandardError.ReadToEnd().Trim()}");
    }

    /// <summary>Waits for exit and returns one counter (e.g. "sent", "recv") from its summary line.</summary>
    public long Result(string key)
    {
        var output = _process.StandardOutput.ReadToEnd();
        _process.WaitForExit();
        foreach (var token in output.Split(new[] { ' ', '\n' }, StringSplitOptions.RemoveEmptyEntries))
            if (token.StartsWith(key + "=", StringComparison.Ordinal)) return long.Parse(token[(key.Length + 1)..]);
        throw new InvalidOperationException($"pxbench printed no {key}=: {output.Trim()} {_process.StandardError.ReadToEnd().Trim()}");
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.Dispose();
    }
}
