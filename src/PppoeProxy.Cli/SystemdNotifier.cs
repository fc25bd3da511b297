using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace PppoeProxy.Cli;

/// <summary>
/// sd_notify(3) over $NOTIFY_SOCKET, directly: a few datagrams (READY=1, WATCHDOG=1, STOPPING=1) do
/// not need Microsoft.Extensions.Hosting.Systemd, whose host, DI container and configuration
/// stack this CLI does not use. Outside systemd (no $NOTIFY_SOCKET) there is no notifier at all.
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _target;
    private long _lastWatchdogTicks;
    private int _stopping;

    private SystemdNotifier(Socket socket, UnixDomainSocketEndPoint target, TimeSpan? watchdog)
    {
        _socket = socket;
        _target = target;
        WatchdogInterval = watchdog;
    }

    /// <summary>systemd's WatchdogSec= as it handed it over (WATCHDOG_USEC); null when no watchdog is asked for.</summary>
    public TimeSpan? WatchdogInterval { get; }

    public static SystemdNotifier? FromEnvironment()
    {
        var path = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path)) return null;
        if (path[0] == '@') path = "\0" + path[1..]; // an abstract socket, as systemd spells it
        TimeSpan? watchdog = null;
        // WATCHDOG_PID, when set, names the process the watchdog is for: not us means not our job.
        var watchdogPid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out long usec) && usec > 0
            && (watchdogPid is null || watchdogPid == Environment.ProcessId.ToString(CultureInfo.InvariantCulture)))
            watchdog = TimeSpan.FromMicroseconds(usec);
        return new SystemdNotifier(new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified), new UnixDomainSocketEndPoint(path), watchdog);
    }

    /// <summary>Sends one state line; false when systemd's socket is gone (nothing the proxy can do about it).</summary>
    public bool Send(string state)
    {
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _target);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { return false; }
    }

    /// <summary>WATCHDOG=1 at most every half interval (systemd's advice); called from the proxy's loop, so a hung loop stops it.</summary>
    public void Heartbeat()
    {
        if (WatchdogInterval is not TimeSpan interval) return;
        long now = Environment.TickCount64;
        if (now - Interlocked.Read(ref _lastWatchdogTicks) < interval.TotalMilliseconds / 2) return;
        Interlocked.Exchange(ref _lastWatchdogTicks, now);
        Send("WATCHDOG=1");
    }

    /// <summary>STOPPING=1, once, as the graceful stop begins.</summary>
    public void Stopping()
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 0) Send("STOPPING=1");
    }

    public void Dispose() => _socket.Dispose();
}
