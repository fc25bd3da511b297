using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace PppoeProxy.Tests.PowerShell;

/// <summary>
/// The test project compiles against PppoeProxy.PowerShell but does not copy it (Private=false), so the
/// only copy the test process can load is out/PppoeProxy's: unit tests and Import-Module in the in-process
/// runspaces then share the assembly the module folder ships, not a second build output.
/// </summary>
internal static class ModuleAssemblyResolver
{
    private const string ModuleAssembly = "PppoeProxy.PowerShell";

    [ModuleInitializer]
    internal static void Register() => AssemblyLoadContext.Default.Resolving += (context, name) =>
    {
        if (name.Name != ModuleAssembly) return null;
        var path = Path.Combine(ModuleHost.ModuleFolder, ModuleAssembly + ".dll");
        return File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
    };
}
