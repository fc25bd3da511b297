namespace PppoeProxy.Engine.Protocol;

/// <summary>An 802.1Q/802.1ad tag: kept whole (TPID and TCI) so frames write back byte for byte.</summary>
public readonly record struct VlanTag(ushort Tpid, ushort Tci)
{
    public int Id => Tci & 0x0FFF;
    public static VlanTag Dot1Q(int id) => new(EtherTypes.Vlan8021Q, (ushort)(id & 0x0FFF));
    public static VlanTag Dot1AD(int id) => new(EtherTypes.Vlan8021AD, (ushort)(id & 0x0FFF));

    /// <summary>One id: 802.1Q. Two ids: outer 802.1ad (QinQ), inner 802.1Q.</summary>
    public static VlanTag[] FromIds(IReadOnlyList<int> ids) => ids.Count switch
    {
        0 => Array.Empty<VlanTag>(),
        1 => new[] { Dot1Q(ids[0]) },
        2 => new[] { Dot1AD(ids[0]), Dot1Q(ids[1]) },
        _ => throw new ArgumentException("at most two VLAN ids (outer,inner)"),
    };
}
