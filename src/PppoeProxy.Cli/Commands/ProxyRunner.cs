using Microsoft.Extensions.Logging;
using PppoeProxy.Cli.Metrics;
using PppoeProxy.Engine.Tunnel;

namespace PppoeProxy.Cli.Commands;

/// <summary>Runs either tunnel end in the foreground with its log, status socket, metrics and systemd notifications, until Ctrl+C/SIGTERM.</summary>
public static class ProxyRunner
{
    public static int Run(Func<ILogger, IProxyEnd> create, LogLevel level, string? statusPath, CancellationToken cancel, string? metrics = null)
    {
        using var logging = CliLogging.Create(level);
        var log = logging.CreateLogger("pppoeproxy");
        // Claimed first: a second instance on the same path stops here, before it opens the interface.
        using var status = statusPath is null ? null : StatusEndpoint.TryClaim(statusPath, log);
        using var end = create(log);
        int started = 0;
        // Bound before the start too, so a port in use fails before the interface is touched; scrapes wait for the start.
        using var metricsEndpoint = metrics is null ? null : StartMetrics(metrics, () => Volatile.Read(ref started) == 1 ? end.Status() : null, log);
        using var systemd = SystemdNotifier.FromEnvironment();
        try { end.Start(); }
        // The socket's own text ("Address already in use") names no address: beside other proxies the admin must know which.
        catch (System.Net.Sockets.SocketException e) when (end is ProxyServer
            && e.SocketErrorCode is System.Net.Sockets.SocketError.AddressAlreadyInUse or System.Net.Sockets.SocketError.AddressNotAvailable
                or System.Net.Sockets.SocketError.AccessDenied)
        {
            throw new IOException($"--listen {end.Endpoint}: {e.Message}", e);
        }
        Volatile.Write(ref started, 1);
        status?.Serve(end.Status, log);
        if (systemd is not null)
        {
            end.Heartbeat = systemd.Heartbeat;
            systemd.Send($"READY=1\nSTATUS={end.Role} on {end.Interface}, {end.Endpoint}");
        }
        using var stopping = cancel.Register(() => systemd?.Stopping());
        try { end.RunAsync(cancel).GetAwaiter().GetResult(); }
        finally { systemd?.Stopping(); }
        return ExitCodes.Success;
    }

    private static MetricsEndpoint StartMetrics(string text, Func<ProxyStatus?> status, ILogger log)
    {
        if (!MetricsEndpoint.TryParse(text, out var host, out int port, out var problem)) throw new UsageException($"{MetricsEndpoint.Flag}: {problem}");
        var endpoint = MetricsEndpoint.Start(host, port, status);
        log.LogInformation("metrics at {Url}", endpoint.Url);
        return endpoint;
    }
}
