namespace PppoeProxy.Engine.Tunnel;

/// <summary>Either end of the tunnel, as the CLI, the PowerShell job and the status socket drive it.</summary>
public interface IProxyEnd : IDisposable
{
    /// <summary>"server" or "client".</summary>
    string Role { get; }
    string Interface { get; }
    /// <summary>The listen address (server) or the server's address (client).</summary>
    string Endpoint { get; }
    FrameTap? Tap { get; set; }
    /// <summary>Opens the interface and sockets: errors here are the caller's one-line failures.</summary>
    void Start();
    /// <summary>Serves until cancelled, then stops gracefully (PADTs); the stop is bounded in time.</summary>
    Task RunAsync(CancellationToken stop);
    ProxyStatus Status();
    /// <summary>Called from the end's housekeeping loop (every 250 ms) while the loop and the capture are healthy: a watchdog's liveness signal.</summary>
    Action? Heartbeat { get; set; }
}
