namespace PppoeProxy.Engine.Protocol;

public static class PppoeCodes
{
    public static bool IsKnown(byte code) => Enum.IsDefined(typeof(PppoeCode), code);

    public static string Name(byte code, bool discovery) => discovery
        ? (code != 0 && IsKnown(code) ? ((PppoeCode)code).ToString() : $"Unknown(0x{code:x2})")
        : (code == 0 ? "Session" : $"Unknown(0x{code:x2})");
}
