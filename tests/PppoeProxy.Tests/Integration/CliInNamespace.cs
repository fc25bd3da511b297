
namespace PppoeProxy.Tests.Integration;

/// <summary>Runs the real `pppoeproxy` executable inside a lab namespace, as an admin would on that host.</summary>
public static class CliInNamespace
{
    public static CommandResult Run(string ns, TimeSpan timeout, params string[] args) =>
        NetnsLab.RunIn(ns, timeout, "dotnet", new[] { RepoPaths.CliDll }.Concat(args).ToArray());
}
