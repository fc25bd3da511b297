namespace PppoeProxy.Engine.Sessions;

/// <summary>Who a frame's new entry would belong to (0: nobody) and how many live entries that owner may have.</summary>
internal readonly record struct SessionAdmission(long Owner, int OwnerLimit);
