using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Tunnel;

namespace PppoeProxy.PowerShell.Jobs;

/// <summary>The server and the client behind one shape, so the job and -Wait treat them alike.</summary>
internal sealed class ProxyEnd : IDisposable
{
    private readonly Action _start;
    private readonly Func<CancellationToken, Task> _run;
    private readonly Func<ProxyStatus> _status;
    private readonly Action<FrameTap?> _setTap;
    private readonly IDisposable _engine;

    private ProxyEnd(string role, string interfaceName, string endpoint, Action start, Func<CancellationToken, Task> run,
        Func<ProxyStatus> status, Action<FrameTap?> setTap, IDisposable engine)
    {
        Role = role;
        Interface = interfaceName;
        Endpoint = endpoint;
        _start = start;
        _run = run;
        _status = status;
        _setTap = setTap;
        _engine = engine;
    }

    public string Role { get; }
    public string Interface { get; }
    public string Endpoint { get; }

    public static ProxyEnd Server(ServerOptions options, ILogger logger)
    {
        var server = new ProxyServer(options, logger);
        return new ProxyEnd("server", options.Interface, options.Listen.ToString(), server.Start, server.RunAsync,
            server.Status, tap => server.Tap = tap, server);
    }

    public static ProxyEnd Client(ClientOptions options, ILogger logger)
    {
        var client = new ProxyClient(options, logger);
        return new ProxyEnd("client", options.Interface, $"{options.ServerHost}:{options.ServerPort}", client.Start, client.RunAsync,
            client.Status, tap => client.Tap = tap, client);
    }

    public FrameTap? Tap { set => _setTap(value); }

    /// <summary>Opens the interface and sockets: failures here are the cmdlet's terminating errors.</summary>
    public void Start() => _start();

    /// <summary>Serves until cancelled, then stops gracefully (PADTs); the engine bounds that stop.</summary>
    public Task RunAsync(CancellationToken stop) => Task.Run(() => _run(stop));

    public ProxyStatus Status() => _status();

    public void Dispose() => _engine.Dispose();
}
