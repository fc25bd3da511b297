using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Tunnel.Datagram;
using Xunit;
using Xunit.Abstractions;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// The UDP probe against a real `pppoeproxy server --transport udp`: from many 127.x sources at once,
/// DTLS handshakes that answer the cookie and then go silent (holding a handshake slot) and complete
/// handshakes with an untrusted certificate. Bounds asserted: handshake threads, log lines per
/// second, every refusal counted, and a legitimate client gets in, also later from an attacker's address.
/// </summary>
[Collection(TunnelLabCollection.Name)]
public sealed class UdpServerAttackTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Attack = TimeSpan.FromSeconds(6);

    [RootFact]
    public void StalledAndUntrustedHandshakesFromManySourcesStayBoundedAndALegitimateClientGetsIn()
    {
        using var ids = new Tunnel.TunnelIdentities();
        string Prefix(string name) => Path.Combine(ids.Directory, name);
        using var server = new LimitsServer(extra: new[] { "--transport", "udp", "--cert", Prefix("server") + ".crt", "--key", Prefix("server") + ".key",
            "--trust", ids.Client.Fingerprint });
        var trusted = TunnelSecurity.Load(Prefix("client") + ".crt", Prefix("client") + ".key", new[] { ids.Server.Fingerprint });
        var stranger = new TunnelSecurity(ids.Stranger.Cert, new HashSet<string> { ids.Server.Fingerprint });
        var serverEndPoint = new IPEndPoint(IPAddress.Loopback, server.Port);
        Thread.Sleep(500);
        int threadsBefore = server.Threads;
        long rssBefore = server.RssKiB;
        int linesBefore = server.Process.StderrLines.Count;

        var stop = Environment.TickCount64 + (long)Attack.TotalMilliseconds;
        long stalls = 0, untrusted = 0;
        var attackers = new List<Thread>();
        // 30 stallers over 10 sources (3 each: under the 4 per source, so the global limit is what they hit).
        for (int i = 0; i < 30; i++)
        {
            var source = IPAddress.Parse($"127.1.0.{i % 10 + 1}");
            attackers.Add(new Thread(() => { while (Environment.TickCount64 < stop) if (Stall(source, serverEndPoint)) Interlocked.Increment(ref stalls); }));
        }
        for (int i = 0; i < 4; i++)
        {
            var source = IPAddress.Parse($"127.2.0.{i + 1}");
            attackers.Add(new Thread(() =>
            {
                while (Environment.TickCount64 < stop)
                {
                    try { UdpHandshake.Connect("127.0.0.1", server.Port, stranger, "stranger", NullLogger.Instance, TimeSpan.FromSeconds(2), CancellationToken.None, false, source).Dispose(); }
                    catch (TunnelHandshakeException) { Interlocked.Increment(ref untrusted); }
                }
            }));
        }
        int threadsMax = threadsBefore;
        var sampler = new Thread(() => { while (Environment.TickCount64 < stop + 1000) { threadsMax = Math.Max(threadsMax, server.Threads); Thread.Sleep(100); } });
        attackers.ForEach(t => t.Start());
        sampler.Start();

        // Garbage and oversized datagrams from 20 more sources while it lasts: counted, logged once a second.
        using (var junk = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            var random = new Random(5);
            for (int i = 0; i < 2000; i++)
            {
                var bytes = new byte[i % 100 == 0 ? 3000 : random.Next(1, 600)];
                random.NextBytes(bytes);
                junk.SendTo(bytes, serverEndPoint);
                if (i % 200 == 199) Thread.Sleep(50);
            }
        }
        // During the attack a legitimate client is only reported: 16 slots held by 10 sources refuse it by design
        // (sshd's MaxStartups); what must hold is that it gets in once the attack stops.
        var waited = Stopwatch.StartNew();
        string during = Dial(server.Port, trusted, null, TimeSpan.FromSeconds(3));
        attackers.ForEach(t => t.Join());
        waited.Restart();
        string after = Dial(server.Port, trusted, null, TimeSpan.FromSeconds(12));
        var lockedOut = waited.Elapsed;
        sampler.Join();
        Thread.Sleep(1500); // the rate-limited log's summaries come out
        int lines = server.Process.StderrLines.Count - linesBefore;
        var refusals = server.Refusals();
        output.WriteLine($"during {Attack.TotalSeconds} s: {stalls} stalled, {untrusted} untrusted handshakes; legitimate client during: {during}; after: {after}");
        output.WriteLine($"threads {threadsBefore} -> max {threadsMax}; RSS {rssBefore / 1024} -> {server.RssKiB / 1024} MiB; {lines} log lines");
        output.WriteLine("refusals: " + string.Join(", ", refusals.Select(r => $"{r.Key}={r.Value}")));

        Assert.StartsWith("in after", after);
        Assert.True(lockedOut < TimeSpan.FromSeconds(9), $"locked out {lockedOut.TotalSeconds:0.0} s after the attack stopped"); // 5 s handshake timeout + retries
        // At most 16 handshakes (--max-handshakes 8:30:16) hold a thread each.
        Assert.True(threadsMax <= threadsBefore + 16 + 8, $"threads {threadsBefore} -> {threadsMax}");
        Assert.True(lines <= 12 + 6 * (int)Math.Ceiling(Attack.TotalSeconds + 2.5), $"{lines} log lines\n" + server.Process);
        Assert.True(refusals.GetValueOrDefault("refused-handshake") >= untrusted / 2, "untrusted handshakes not counted");
        Assert.True(stalls + untrusted > 20, "the attack never got going");

        // Slots come back: the attacker's own address gets a tunnel once its stalls timed out.
        using var later = UdpHandshake.Connect("127.0.0.1", server.Port, trusted, "later", NullLogger.Instance, TimeSpan.FromSeconds(10), CancellationToken.None, false,
            IPAddress.Parse("127.1.0.1"));
        Assert.Equal(ids.Server.Fingerprint, later.PeerFingerprint);
        Assert.False(server.Process.HasExited, server.Process.ToString());
    }

    [RootFact]
    public void RepeatedUntrustedCertificatesFromManySourcesAreCountedLoggedOnceASecondAndALegitimateClientGetsIn()
    {
        using var ids = new Tunnel.TunnelIdentities();
        string Prefix(string name) => Path.Combine(ids.Directory, name);
        using var server = new LimitsServer(extra: new[] { "--transport", "udp", "--cert", Prefix("server") + ".crt", "--key", Prefix("server") + ".key",
            "--trust", ids.Client.Fingerprint });
        var trusted = TunnelSecurity.Load(Prefix("client") + ".crt", Prefix("client") + ".key", new[] { ids.Server.Fingerprint });
        var stranger = new TunnelSecurity(ids.Stranger.Cert, new HashSet<string> { ids.Server.Fingerprint });
        Thread.Sleep(500);
        int threadsBefore = server.Threads;
        int linesBefore = server.Process.StderrLines.Count;
        var stop = Environment.TickCount64 + 5000;
        long refused = 0, other = 0;
        // Two clients at a time from each of 8 addresses: under every per-source limit, so each handshake runs to the certificate.
        var attackers = Enumerable.Range(0, 16).Select(i => new Thread(() =>
        {
            var source = IPAddress.Parse($"127.3.0.{i % 8 + 1}");
            while (Environment.TickCount64 < stop)
            {
                try { UdpHandshake.Connect("127.0.0.1", server.Port, stranger, "stranger", NullLogger.Instance, TimeSpan.FromSeconds(2), CancellationToken.None, false, source).Dispose(); }
                catch (TunnelHandshakeException e) when (e.Message.Contains("not trusted")) { Interlocked.Increment(ref refused); }
                catch (TunnelHandshakeException) { Interlocked.Increment(ref other); }
            }
        })).ToList();
        int threadsMax = threadsBefore;
        var sampler = new Thread(() => { while (Environment.TickCount64 < stop) { threadsMax = Math.Max(threadsMax, server.Threads); Thread.Sleep(100); } });
        attackers.ForEach(t => t.Start());
        sampler.Start();
        Thread.Sleep(1500);
        string during = Dial(server.Port, trusted, null, TimeSpan.FromSeconds(5));
        attackers.ForEach(t => t.Join());
        sampler.Join();
        Thread.Sleep(1500);
        int lines = server.Process.StderrLines.Count - linesBefore;
        var refusals = server.Refusals();
        output.WriteLine($"5 s: {refused} untrusted refused as such, {other} otherwise; legitimate client {during}; threads {threadsBefore} -> max {threadsMax}; {lines} log lines");
        output.WriteLine("refusals: " + string.Join(", ", refusals.Select(r => $"{r.Key}={r.Value}")));

        Assert.StartsWith("in after", during);
        Assert.True(refused > 20, "the attack never got going");
        Assert.True(refusals.GetValueOrDefault("refused-handshake") >= refused, $"{refused} untrusted, counted {refusals.GetValueOrDefault("refused-handshake")}");
        Assert.True(threadsMax <= threadsBefore + 16 + 8, $"threads {threadsBefore} -> {threadsMax}");
        Assert.True(lines <= 12 + 6 * 7, $"{lines} log lines\n" + server.Process);
        Assert.True(server.Process.HasLog("more like it|more lines of kind refused-handshake"), server.Process.ToString());
    }

    private static string Dial(int port, TunnelSecurity security, IPAddress? source, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        try
        {
            using var link = UdpHandshake.Connect("127.0.0.1", port, security, "legit", NullLogger.Instance, timeout, CancellationToken.None, false, source);
            return $"in after {waited.ElapsedMilliseconds} ms";
        }
        catch (TunnelHandshakeException e) { return $"failed after {waited.ElapsedMilliseconds} ms: {e.Message}"; }
    }

    /// <summary>A DTLS client that answers the cookie, waits for the server's first flight and then goes silent; true when it got that far.</summary>
    private static bool Stall(IPAddress source, IPEndPoint server)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(source, 0));
        socket.Connect(server);
        var transport = new StallingTransport(socket, (ulong)Random.Shared.NextInt64(1, long.MaxValue));
        try { new DtlsClientProtocol().Connect(new StallingClient(), transport); }
        catch (Exception e) when (e is IOException or TlsFatalAlert or SocketException) { }
        return transport.Stalled;
    }

    private sealed class StallingClient() : DefaultTlsClient(new BcTlsCrypto(new SecureRandom()))
    {
        protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();
        public override TlsAuthentication GetAuthentication() => throw new TlsFatalAlert(AlertDescription.internal_error); // never got this far
    }

    private sealed class StallingTransport(Socket socket, ulong id) : DatagramTransport
    {
        private int _received;
        public bool Stalled { get; private set; }
        public int GetReceiveLimit() => 1500;
        public int GetSendLimit() => 1400;

        public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

        public void Send(ReadOnlySpan<byte> buffer)
        {
            if (Stalled) return; // not even an alert: the server must find out by its timeout
            var datagram = new byte[DatagramFormat.OuterHeaderSize + buffer.Length];
            DatagramFormat.WriteOuter(datagram, DatagramFormat.MarkerDtls, id);
            buffer.CopyTo(datagram.AsSpan(DatagramFormat.OuterHeaderSize));
            socket.Send(datagram);
        }

        public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

        public int Receive(Span<byte> buffer, int waitMillis)
        {
            socket.ReceiveTimeout = Math.Max(1, Math.Min(waitMillis, 1500));
            var datagram = new byte[2048];
            int length;
            try { length = socket.Receive(datagram); }
            catch (SocketException) { throw new IOException("no answer (refused by the handshake limits)"); }
            // The first answer is the HelloVerifyRequest, the second the start of the server's flight.
            if (++_received >= 2)
            {
                Stalled = true;
                throw new IOException("stalled");
            }
            int content = length - DatagramFormat.OuterHeaderSize;
            datagram.AsSpan(DatagramFormat.OuterHeaderSize, content).CopyTo(buffer);
            return content;
        }

        public void Close() { }
    }
}
