using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Tunnel.Security;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>
/// The tunnel socket must never be registered with the runtime's epoll thread: once it is, every
/// arriving segment wakes that thread and a pool worker (three wake-ups per frame, measured by
/// bench/run.sh). The kernel lists an epoll instance's watched fds in /proc/self/fdinfo.
/// </summary>
public class TunnelHandshakeThreadingTests : IClassFixture<TunnelIdentities>
{
    private readonly TunnelIdentities _ids;

    public TunnelHandshakeThreadingTests(TunnelIdentities ids) => _ids = ids;

    [Fact]
    public async Task ProbeControlASocketUsedWithTheAsyncApiShowsUpInAnEpollSet()
    {
        using var listener = Loopback.Listen(out int port);
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var accepted = listener.Accept();
        var pending = client.ReceiveAsync(new byte[16], SocketFlags.None); // nothing to read yet: it must wait in epoll
        Assert.Contains((int)client.Handle, EpollWatchedFds());
        accepted.Send(new byte[] { 1 });
        Assert.Equal(1, await pending.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HandshakenTunnelSocketsStayOutOfTheRuntimeEpollSetAndCarryFrames(bool tls)
    {
        using var listener = Loopback.Listen(out int port);
        var serverSecurity = tls ? new TunnelSecurity(_ids.Server.Cert, new HashSet<string> { _ids.Client.Fingerprint }) : null;
        var clientSecurity = tls ? new TunnelSecurity(_ids.Client.Cert, new HashSet<string> { _ids.Server.Fingerprint }) : null;
        var timeout = TimeSpan.FromSeconds(10);

        var connecting = TunnelHandshake.ConnectAsync("127.0.0.1", port, TunnelMode.V1, clientSecurity, "epoll-test",
            NullLogger.Instance, timeout, CancellationToken.None);
        var accepted = await Task.Run(listener.Accept);
        using var serverLink = await TunnelHandshake.AcceptAsync(accepted, TunnelMode.V1, serverSecurity, CidrAllowList.LoopbackOnly,
            NullLogger.Instance, timeout, CancellationToken.None);
        using var clientLink = await connecting.WaitAsync(timeout);

        var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        serverLink.Start((_, frame) => received.TrySetResult(frame.ToArray()));
        clientLink.Start((_, _) => { });
        var frame = new byte[60];
        frame[12] = 0x88; frame[13] = 0x64; frame[59] = 0x5a;
        Assert.True(clientLink.TrySendFrame(frame, 0x8864));
        Assert.Equal(frame, await received.Task.WaitAsync(timeout));

        var watched = EpollWatchedFds();
        Assert.DoesNotContain((int)((StreamTunnelTransport)clientLink.Transport).Socket!.Handle, watched);
        Assert.DoesNotContain((int)((StreamTunnelTransport)serverLink.Transport).Socket!.Handle, watched);
    }

    [Fact]
    public async Task AConnectThatCannotCompleteEndsAtTheDeadlineWithAOneLineReason()
    {
        // A listener whose backlog is full never completes the TCP handshake for the next caller... on
        // Linux the SYN is dropped, so the blocking connect waits until our deadline closes the socket.
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var fillers = new List<Socket>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                var filler = new Socket(SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
                try { filler.Connect(IPAddress.Loopback, port); } catch (SocketException) { }
                fillers.Add(filler);
            }
            var started = DateTime.UtcNow;
            var error = await Assert.ThrowsAsync<TunnelHandshakeException>(() => TunnelHandshake.ConnectAsync("127.0.0.1", port,
                TunnelMode.V1, null, "deadline-test", NullLogger.Instance, TimeSpan.FromMilliseconds(800), CancellationToken.None));
            Assert.Contains("no answer within", error.Message);
            Assert.DoesNotContain("\n", error.Message);
            Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));
        }
        finally { fillers.ForEach(s => s.Dispose()); }
    }

    /// <summary>Every fd watched by any epoll instance of this process ("tfd:" lines of /proc/self/fdinfo).</summary>
    private static HashSet<int> EpollWatchedFds()
    {
        var watched = new HashSet<int>();
        foreach (var fdPath in Directory.GetFiles("/proc/self/fd"))
        {
            string? target;
            try { target = new FileInfo(fdPath).LinkTarget; } catch (IOException) { continue; }
            if (target != "anon_inode:[eventpoll]") continue;
            string info;
            try { info = File.ReadAllText($"/proc/self/fdinfo/{Path.GetFileName(fdPath)}"); } catch (IOException) { continue; }
            foreach (var line in info.Split('\n'))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length >= 2 && fields[0] == "tfd:" && int.TryParse(fields[1], out int fd)) watched.Add(fd);
            }
        }
        return watched;
    }
}
