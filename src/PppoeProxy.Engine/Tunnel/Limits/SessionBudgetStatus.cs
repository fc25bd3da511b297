namespace PppoeProxy.Engine.Tunnel.Limits;

/// <summary>The session budget in status: at most <paramref name="Max"/> sessions at the AC; <paramref name="Sessions"/>
/// established through tunnels plus <paramref name="Discoveries"/> slots held by discoveries in flight.</summary>
public sealed record SessionBudgetStatus(int Max, int Sessions, int Discoveries)
{
    /// <summary>"sessions 1/2 (budget)", with the discoveries when there are any.</summary>
    public override string ToString() =>
        $"sessions {Sessions}/{Max} (budget){(Discoveries > 0 ? $", {Discoveries} discovery(ies) in flight" : "")}";
}
