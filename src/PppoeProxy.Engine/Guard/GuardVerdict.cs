namespace PppoeProxy.Engine.Guard;

public enum GuardVerdict
{
    /// <summary>Send the discovery frame on now.</summary>
    Forward,
    /// <summary>The guard kept a copy and releases it after its verdict (through <see cref="IGuardActions.Release"/>).</summary>
    Held,
}
