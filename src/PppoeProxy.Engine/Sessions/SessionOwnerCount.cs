namespace PppoeProxy.Engine.Sessions;

/// <summary>
/// Live (discovering or established) sessions one owner (a tunnel) has in a <see cref="SessionTracker"/>:
/// raised as entries are added, recounted exactly by each sweep.
/// </summary>
internal sealed class SessionOwnerCount
{
    public int Live;
}
