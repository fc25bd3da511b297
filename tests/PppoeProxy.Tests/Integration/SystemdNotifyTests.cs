using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// Type=notify as systemd sees it: a datagram socket standing in for $NOTIFY_SOCKET receives
/// READY=1 once the proxy has started, WATCHDOG=1 while its loop runs, STOPPING=1 on SIGTERM.
/// </summary>
public sealed class SystemdNotifyTests
{
    [RootFact]
    public void ADaemonUnderSystemdSaysReadyBeatsTheWatchdogAndSaysStopping()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ppx-notify-{Guid.NewGuid():N}.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(path));
        notify.ReceiveTimeout = 20_000;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { RepoPaths.CliDll, "server", "--interface", "lo", "--listen", "127.0.0.1:0", "--insecure", "--status-socket", "none" })
            psi.ArgumentList.Add(a);
        psi.Environment["NOTIFY_SOCKET"] = path;
        psi.Environment["WATCHDOG_USEC"] = "1000000"; // WatchdogSec=1: a beat at least every 0.5 s
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var messages = new List<(string Text, long At)>();
            var clock = Stopwatch.StartNew();
            var buffer = new byte[4096];
            string Receive()
            {
                int n = notify.Receive(buffer);
                var text = Encoding.UTF8.GetString(buffer, 0, n);
                messages.Add((text, clock.ElapsedMilliseconds));
                return text;
            }

            var first = Receive();
            Assert.StartsWith("READY=1\n", first);
            Assert.Contains("STATUS=server on lo, 127.0.0.1:", first);
            while (messages.Count(m => m.Text == "WATCHDOG=1") < 4) Assert.Equal("WATCHDOG=1", Receive());
            var beats = messages.Where(m => m.Text == "WATCHDOG=1").Select(m => m.At).ToList();
            // Every beat within the watchdog interval of the one before (half of it is the aim).
            Assert.All(beats.Zip(beats.Skip(1), (a, b) => b - a), gap => Assert.InRange(gap, 0, 1000));

            Assert.Equal(0, NetnsLab.Run("kill", new[] { "-TERM", process.Id.ToString() }, TimeSpan.FromSeconds(5)).ExitCode);
            string last;
            do last = Receive(); while (last == "WATCHDOG=1");
            Assert.Equal("STOPPING=1", last);
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(20)), "did not stop");
            Assert.Equal(0, process.ExitCode);
        }
        catch (Exception) when (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        finally
        {
            if (process.WaitForExit(TimeSpan.FromSeconds(5))) _ = stderr.Result;
            File.Delete(path);
        }
    }
}
