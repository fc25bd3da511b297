namespace PppoeProxy.Tests;

/// <summary>Finds files of the repository from the test assembly's folder.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Of(params string[] parts) => Path.Combine(new[] { Root }.Concat(parts).ToArray());

    public static string SampleCapture => Of("samples", "sample.pcap");

    /// <summary>The built CLI, run with `dotnet` (tests that need another process or namespace).</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "pppoeproxy.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PppoeProxy.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("PppoeProxy.sln not found above " + AppContext.BaseDirectory);
    }
}
