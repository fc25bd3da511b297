using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Tunnel;

namespace PppoeProxy.Cli.Commands;

/// <summary>Runs either tunnel end in the foreground with its log and status socket, until Ctrl+C/SIGTERM.</summary>
public static class ProxyRunner
{
    public static int Run(Func<ILogger, IProxyEnd> create, LogLevel level, string? statusPath, CancellationToken cancel)
    {
        using var logging = CliLogging.Create(level);
        var log = logging.CreateLogger("pppoeproxy");
        // Claimed first: a second instance on the same path stops here, before it opens the interface.
        using var status = statusPath is null ? null : StatusEndpoint.TryClaim(statusPath, log);
        using var end = create(log);
        end.Start();
        status?.Serve(end.Status, log);
        end.RunAsync(cancel).GetAwaiter().GetResult();
        return ExitCodes.Success;
    }
}
