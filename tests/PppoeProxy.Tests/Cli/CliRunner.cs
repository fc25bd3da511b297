using PppoeProxy.Cli;

namespace PppoeProxy.Tests.Cli;

public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Runs the CLI in-process with captured streams: the same code path as the executable.</summary>
public static class CliRunner
{
    public static CliResult Run(string stdin, bool interactive, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error, new StringReader(stdin), interactive);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public static CliResult Run(params string[] args) => Run("", interactive: false, args);
}
