namespace PppoeProxy.Engine.Protocol;

public static class PppoeCodes
{
    // A switch, not Enum.IsDefined: the parser asks for every frame and must not box.
    public static bool IsKnown(byte code) => (PppoeCode)code is PppoeCode.Session or PppoeCode.PADO or PppoeCode.PADI
        or PppoeCode.PADG or PppoeCode.PADC or PppoeCode.PADQ or PppoeCode.PADR or PppoeCode.PADS or PppoeCode.PADT
        or PppoeCode.PADM or PppoeCode.PADN;

    public static string Name(byte code, bool discovery) => discovery
        ? (code != 0 && IsKnown(code) ? ((PppoeCode)code).ToString() : $"Unknown(0x{code:x2})")
        : (code == 0 ? "Session" : $"Unknown(0x{code:x2})");
}
