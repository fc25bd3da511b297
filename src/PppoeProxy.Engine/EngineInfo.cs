namespace PppoeProxy.Engine; public static class EngineInfo { public const string Name = "PppoeProxy"; }
