using System.CommandLine;

namespace PppoeProxy.Cli.Commands;

internal static class SourceRules
{
    public static void RequireOneSource(System.CommandLine.Parsing.CommandResult result, Option<string> iface, Option<string?> read)
    {
        bool hasInterface = result.GetResult(iface) is not null;
        bool hasFile = result.GetResult(read) is not null;
        if (hasInterface == hasFile) result.AddError("give either --interface IF or --read FILE");
    }
}
