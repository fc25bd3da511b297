namespace PppoeProxy.Engine.Protocol;

public static class EtherTypes
{
    public const ushort PppoeDiscovery = 0x8863;
    public const ushort PppoeSession = 0x8864;
    public const ushort Vlan8021Q = 0x8100;
    public const ushort Vlan8021AD = 0x88A8;
    /// <summary>Pre-standard QinQ outer tag some switches still emit.</summary>
    public const ushort Vlan9100 = 0x9100;

    public static bool IsVlan(ushort type) => type is Vlan8021Q or Vlan8021AD or Vlan9100;
}
