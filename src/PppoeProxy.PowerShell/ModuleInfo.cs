namespace PppoeProxy.PowerShell; internal static class ModuleInfo { }
