namespace PppoeProxy.Engine.Protocol;

/// <summary>Tag types from the IANA PPPoE registry.</summary>
public enum PppoeTagType : ushort
{
    EndOfList = 0x0000,
    ServiceName = 0x0101,
    AcName = 0x0102,
    HostUniq = 0x0103,
    AcCookie = 0x0104,
    VendorSpecific = 0x0105,
    Credits = 0x0106,
    Metrics = 0x0107,
    SequenceNumber = 0x0108,
    CreditScaleFactor = 0x0109,
    RelaySessionId = 0x0110,
    Hurl = 0x0111,
    Motm = 0x0112,
    PppMaxPayload = 0x0120,
    IpRouteAdd = 0x0121,
    ServiceNameError = 0x0201,
    AcSystemError = 0x0202,
    GenericError = 0x0203,
}
