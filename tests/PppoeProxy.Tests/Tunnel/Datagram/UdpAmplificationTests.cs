using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Diagnostics;
using PppoeProxy.Engine.Tunnel;
using PppoeProxy.Engine.Tunnel.Datagram;
using PppoeProxy.Engine.Tunnel.Limits;
using PppoeProxy.Engine.Tunnel.Security;
using Xunit;
using Xunit.Abstractions;

namespace PppoeProxy.Tests.Tunnel.Datagram;

/// <summary>
/// A spoofed source must not turn the server into an amplifier: the only answer an unverified source
/// gets is the HelloVerifyRequest, and it is never larger than the datagram that asked for it, even
/// for the smallest ClientHello BouncyCastle will parse (the real client's hellos are ~4x larger).
/// And a hello that is not quite one gets a cookie or is counted, never left to an error log.
/// </summary>
public class UdpAmplificationTests(TunnelIdentities ids, ITestOutputHelper output) : IClassFixture<TunnelIdentities>
{
    /// <summary>A DTLS ClientHello with nothing optional: no session, no cookie, <paramref name="suites"/> cipher suites, one compression method, no extensions.</summary>
    private static byte[] MinimalClientHello(int suites, bool extensionsLength)
    {
        int body = 2 + 32 + 1 + 1 + 2 + 2 * suites + 2 + (extensionsLength ? 2 : 0);
        var hello = new byte[13 + 12 + body];
        hello[0] = 22; // handshake
        hello[1] = 0xFE;
        hello[2] = 0xFF; // DTLS 1.0 on the record, as clients send their first hello
        BinaryPrimitives.WriteUInt16BigEndian(hello.AsSpan(11), (ushort)(12 + body));
        var message = hello.AsSpan(13);
        message[0] = 1; // client_hello
        WriteUInt24(message[1..], body);
        WriteUInt24(message[9..], body); // one fragment: offset 0, the whole length
        var b = message[12..];
        b[0] = 0xFE;
        b[1] = 0xFD;
        Random.Shared.NextBytes(b.Slice(2, 32));
        int at = 34;
        b[at++] = 0; // session id
        b[at++] = 0; // cookie
        BinaryPrimitives.WriteUInt16BigEndian(b[at..], (ushort)(2 * suites));
        at += 2;
        for (int i = 0; i < suites; i++, at += 2) BinaryPrimitives.WriteUInt16BigEndian(b[at..], 0xC02B);
        b[at++] = 1; // one compression method: null
        b[at++] = 0;
        return hello;
    }

    [Fact]
    public void MutatedClientHellosAreEachAnsweredWithACookieOrCounted()
    {
        var refusals = new RefusalCounters();
        var log = new PppoeProxy.Tests.Diagnostics.RecordingLogger();
        using var listener = new UdpTunnelListener(new IPEndPoint(IPAddress.Loopback, 0), new TunnelSecurity(ids.Server.Cert, new HashSet<string> { ids.Client.Fingerprint }),
            CidrAllowList.LoopbackOnly, new ConnectionLimiter(HandshakeLimit.Default, 4, 32, 4), TimeSpan.FromSeconds(5), NullLogger.Instance,
            new RateLimitedLog(log), refusals, (link, _) => link.Dispose());
        listener.Start();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var random = new Random(9);
        var hello = MinimalClientHello(3, true);
        const int Sent = 3000;
        for (int i = 0; i < Sent; i++)
        {
            var mutated = (byte[])hello.Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--) mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            var datagram = new byte[DatagramFormat.OuterHeaderSize + mutated.Length];
            DatagramFormat.WriteOuter(datagram, DatagramFormat.MarkerDtls, (ulong)random.NextInt64(1, long.MaxValue));
            mutated.CopyTo(datagram.AsSpan(DatagramFormat.OuterHeaderSize));
            socket.SendTo(datagram, listener.LocalEndpoint);
            if (i % 100 == 99) Thread.Sleep(10); // the dispatcher keeps up: we count outcomes, not socket drops
        }
        long Outcomes() => listener.CookiesSent + refusals.Snapshot().Values.Sum();
        var until = Environment.TickCount64 + 10_000;
        while (Outcomes() < Sent && Environment.TickCount64 < until) Thread.Sleep(50);
        output.WriteLine($"{listener.CookiesSent} cookies, refusals {string.Join(", ", refusals.Snapshot())}");
        foreach (var line in log.Lines) output.WriteLine(line.Text);
        Assert.Equal(Sent, Outcomes());
        Assert.Equal(0, listener.Associations);
        Assert.DoesNotContain(log.Lines, l => l.Text.Contains("could not be handled")); // a malformed hello is no server fault
    }

    private static void WriteUInt24(Span<byte> to, int value)
    {
        to[0] = (byte)(value >> 16);
        to[1] = (byte)(value >> 8);
        to[2] = (byte)value;
    }

    [Fact]
    public void NoAnswerToAnUnverifiedSourceIsLargerThanWhatItSent()
    {
        var refusals = new RefusalCounters();
        using var listener = new UdpTunnelListener(new IPEndPoint(IPAddress.Loopback, 0), new TunnelSecurity(ids.Server.Cert, new HashSet<string> { ids.Client.Fingerprint }),
            CidrAllowList.LoopbackOnly, new ConnectionLimiter(HandshakeLimit.Default, 4, 32, 4), TimeSpan.FromSeconds(5), NullLogger.Instance,
            new RateLimitedLog(NullLogger.Instance), refusals, (link, _) => link.Dispose());
        listener.Start();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 1000 };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var answer = new byte[4096];
        int answered = 0;
        foreach (var (suites, extensions) in new[] { (0, false), (1, false), (1, true), (3, false) })
        {
            var hello = MinimalClientHello(suites, extensions);
            var datagram = new byte[DatagramFormat.OuterHeaderSize + hello.Length];
            DatagramFormat.WriteOuter(datagram, DatagramFormat.MarkerDtls, (ulong)Random.Shared.NextInt64(1, long.MaxValue));
            hello.CopyTo(datagram.AsSpan(DatagramFormat.OuterHeaderSize));
            socket.SendTo(datagram, listener.LocalEndpoint);
            int length;
            try { length = socket.Receive(answer); }
            catch (SocketException) // not parsed: no answer at all, which is fine
            {
                output.WriteLine($"{suites} suites: {datagram.Length} B, no answer");
                continue;
            }
            answered++;
            output.WriteLine($"{suites} suites{(extensions ? ", empty extensions" : "")}: {datagram.Length} B in, {length} B out");
            Assert.True(length <= datagram.Length, $"{length}-byte answer to a {datagram.Length}-byte hello ({suites} suites)");
        }
        Assert.True(answered > 0, "no minimal hello was answered: the test sent nothing BouncyCastle parses");
        Assert.Equal(0, listener.Associations);
    }
}
