namespace PppoeProxy.Engine.Tunnel;

/// <summary>Another running proxy answers on the status socket path: a second one must not take it over.</summary>
public sealed class StatusSocketInUseException(string path)
    : IOException($"status socket {path} is in use by another running pppoeproxy (stop that one, or give this one its own --status-socket)")
{
    public string Path { get; } = path;
}
