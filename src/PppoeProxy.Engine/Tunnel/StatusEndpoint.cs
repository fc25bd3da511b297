using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Operations;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// A local Unix socket that answers every connection with the running proxy's status as one JSON
/// line, so `pppoeproxy status` can see sessions, peers and counters without stopping anything.
/// Only local users with access to the socket file (root by default) can read it.
/// </summary>
public sealed class StatusEndpoint : IDisposable
{
    public const string DefaultDirectory = "/run/pppoeproxy";
    private readonly Socket _socket;
    private readonly Func<ProxyStatus> _status;
    private readonly CancellationTokenSource _stop = new();

    private StatusEndpoint(Socket socket, string path, Func<ProxyStatus> status)
    {
        _socket = socket;
        Path = path;
        _status = status;
    }

    public string Path { get; }

    public static string DefaultPath(string role, string interfaceName) => System.IO.Path.Combine(DefaultDirectory, $"{role}-{interfaceName}.sock");

    /// <summary>Opens the socket; null (with a warning) when it cannot, since status is a convenience, not the job.</summary>
    public static StatusEndpoint? TryOpen(string path, Func<ProxyStatus> status, ILogger logger)
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            if (File.Exists(path)) File.Delete(path); // a stale socket from a crash would block the bind
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            socket.Listen(8);
            var endpoint = new StatusEndpoint(socket, path, status);
            _ = endpoint.ServeAsync(logger);
            logger.LogInformation("status socket {Path} (read it with: pppoeproxy status --socket {Path})", path, path);
            return endpoint;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or SocketException)
        {
            logger.LogWarning("no status socket at {Path}: {Error}", path, error.Message);
            return null;
        }
    }

    private async Task ServeAsync(ILogger logger)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _socket.AcceptAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            try
            {
                using (client)
                {
                    var json = EngineJson.Serialize(_status()) + "\n";
                    await client.SendAsync(Encoding.UTF8.GetBytes(json), SocketFlags.None, _stop.Token);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                logger.LogDebug("status request failed: {Error}", e.Message);
            }
        }
    }

    /// <summary>Reads one status line from a running proxy's socket.</summary>
    public static string Query(string path, TimeSpan timeout)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        socket.Connect(new UnixDomainSocketEndPoint(path));
        using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadLine() ?? throw new IOException($"{path}: no status returned");
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try { File.Delete(Path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
