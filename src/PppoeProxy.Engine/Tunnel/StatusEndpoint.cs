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
    private readonly FileIdentity? _identity;
    private readonly CancellationTokenSource _stop = new();
    private int _serving;

    private StatusEndpoint(Socket socket, string path, FileIdentity? identity)
    {
        _socket = socket;
        Path = path;
        _identity = identity;
    }

    public string Path { get; }

    public static string DefaultPath(string role, string interfaceName) => System.IO.Path.Combine(DefaultDirectory, $"{role}-{interfaceName}.sock");

    /// <summary>Claims the path and answers at once; see <see cref="TryClaim"/>.</summary>
    public static StatusEndpoint? TryOpen(string path, Func<ProxyStatus> status, ILogger logger)
    {
        var endpoint = TryClaim(path, logger);
        endpoint?.Serve(status, logger);
        return endpoint;
    }

    /// <summary>
    /// Binds the path before the proxy starts, so a second instance stops before it touches the
    /// interface. A socket that a live proxy answers on is never taken over
    /// (<see cref="StatusSocketInUseException"/>); one left by a dead proxy is replaced. Null, with a
    /// warning, when the socket cannot be made: status is a convenience, not the job.
    /// </summary>
    /// <exception cref="StatusSocketInUseException">Another running proxy answers on <paramref name="path"/>.</exception>
    public static StatusEndpoint? TryClaim(string path, ILogger logger)
    {
        string? staging = null;
        Socket? socket = null;
        try
        {
            var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
            Directory.CreateDirectory(directory);
            if (File.Exists(path) && RemoveIfStale(path)) logger.LogInformation("removed stale status socket {Path} (its proxy is gone)", path);
            // Bound under a name of our own, then renamed into place: .NET's Socket unlinks the path it bound
            // when disposed, whoever owns that path by then; the staging name is only ever ours.
            staging = System.IO.Path.Combine(directory, $".status-{Environment.ProcessId}-{Guid.NewGuid():N}"[..24]);
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(staging));
            File.SetUnixFileMode(staging, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            socket.Listen(8);
            // No overwrite: an instance that claimed the path since our check keeps it.
            try { File.Move(staging, path, overwrite: false); }
            catch (IOException) when (File.Exists(path)) { throw new StatusSocketInUseException(path); }
            return new StatusEndpoint(socket, path, FileIdentity.Of(path));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or SocketException)
        {
            socket?.Dispose();
            if (staging is not null) TryDelete(staging);
            if (error is StatusSocketInUseException) throw;
            logger.LogWarning("no status socket at {Path}: {Error}", path, error.Message);
            return null;
        }
    }

    /// <summary>Starts answering status requests (those that came in since the claim wait in the backlog).</summary>
    public void Serve(Func<ProxyStatus> status, ILogger logger)
    {
        if (Interlocked.Exchange(ref _serving, 1) != 0) return;
        _ = ServeAsync(status, logger);
        logger.LogInformation("status socket {Path} (read it with: pppoeproxy status --socket {Path})", Path, Path);
    }

    /// <summary>True when nothing answers at <paramref name="path"/> and the file was removed; throws when a live proxy answers.</summary>
    private static bool RemoveIfStale(string path)
    {
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new StatusSocketInUseException(path);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused) { } // bound by a process that is gone
        }
        File.Delete(path);
        return true;
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>How long one reader may take to read the status before the next one is served.</summary>
    internal static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(5);

    private async Task ServeAsync(Func<ProxyStatus> status, ILogger logger)
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
                    var json = EngineJson.Serialize(status()) + "\n";
                    // One reader at a time: one that never reads must not keep the next ones waiting for ever.
                    using var sendTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    sendTimeout.CancelAfter(SendTimeout);
                    await client.SendAsync(Encoding.UTF8.GetBytes(json), SocketFlags.None, sendTimeout.Token);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                logger.LogDebug("status request failed: {Error}", e.Message);
            }
            catch (Exception e) when (!_stop.IsCancellationRequested)
            {
                // A failure to describe the proxy must not end the status service.
                logger.LogWarning("status request failed: {Error}", e.Message);
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

    /// <summary>Stops answering and removes the file, only if it is still the one this endpoint made.</summary>
    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _socket.Dispose();
        // Another instance may have replaced a file someone deleted by hand: its socket is not ours to remove.
        if (_identity is { } ours && FileIdentity.Of(Path) == ours) TryDelete(Path);
    }
}
