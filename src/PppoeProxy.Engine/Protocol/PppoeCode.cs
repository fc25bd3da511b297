namespace PppoeProxy.Engine.Protocol;

/// <summary>PPPoE codes: RFC 2516, RFC 5578 (PADG/PADC/PADQ) and the PADM/PADN drafts.</summary>
public enum PppoeCode : byte
{
    Session = 0x00,
    PADO = 0x07,
    PADI = 0x09,
    PADG = 0x0A,
    PADC = 0x0B,
    PADQ = 0x0C,
    PADR = 0x19,
    PADS = 0x65,
    PADT = 0xA7,
    PADM = 0xD3,
    PADN = 0xD4,
}
