using System.Net;
using System.Net.Sockets;
using PppoeProxy.Engine.Tunnel;
using Xunit;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>
/// Probe after issue 12: a client whose server hangs (SIGSTOP, a black hole) sat in its connect for the
/// whole connect timeout without its 250 ms duties, so the LAN heard its sessions were gone up to 10 s past
/// the grace period. The duties now go on while a connect is pending; the stats lines show it.
/// </summary>
public class ClientTickWhileConnectingTests
{
    [RootFact]
    public async Task TheClientKeepsItsPeriodicDutiesWhileAConnectHangs()
    {
        // Accepts connections into its backlog and never answers the hello: a hung server.
        using var hung = new TcpListener(IPAddress.Loopback, 0);
        hung.Start();
        var log = new RecordingLogger();
        var client = new ProxyClient(new ClientOptions
        {
            Interface = "lo",
            ServerHost = "127.0.0.1",
            ServerPort = ((IPEndPoint)hung.LocalEndpoint).Port,
            ConnectTimeout = TimeSpan.FromSeconds(20),
            StatsInterval = TimeSpan.FromSeconds(1),
        }, log);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(4.5));
        await client.RunAsync(stop.Token);

        // No connect finished in those 4.5 s, yet the stats kept coming: 1 s apart, plus the final one.
        Assert.DoesNotContain(log.Lines, l => l.Text.Contains("tunnel connected"));
        int stats = log.Lines.Count(l => l.Text.StartsWith("stats client", StringComparison.Ordinal));
        Assert.True(stats >= 4, $"{stats} stats lines:\n" + string.Join('\n', log.Lines.Select(l => l.Text)));
    }
}
