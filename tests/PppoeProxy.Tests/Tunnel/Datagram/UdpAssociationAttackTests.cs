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
/// Attacks on a live DTLS association (the brief of the UDP probe): datagrams with its connection id
/// and its client's own address and port (spoofed with a raw socket), garbage or replayed, and a
/// "moved client" from another address that cannot authenticate. Each must be counted on the
/// tunnel, never delivered, and leave the tunnel and its address as they were.
/// </summary>
public class UdpAssociationAttackTests(TunnelIdentities ids, ITestOutputHelper output) : IClassFixture<TunnelIdentities>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private sealed class Pair : IDisposable
    {
        public readonly RefusalCounters Refusals = new();
        public readonly UdpTunnelListener Listener;
        public readonly TunnelLink Client;
        public TunnelLink? Server;
        public int FramesAtServer;

        public Pair(TunnelSecurity serverSecurity, TunnelSecurity clientSecurity)
        {
            var limits = new ConnectionLimiter(HandshakeLimit.Default, 4, 32, 4);
            Listener = new UdpTunnelListener(new IPEndPoint(IPAddress.Loopback, 0), serverSecurity, CidrAllowList.LoopbackOnly, limits,
                TimeSpan.FromSeconds(5), NullLogger.Instance, new RateLimitedLog(NullLogger.Instance), Refusals, (link, _) =>
                {
                    link.Start((_, _) => Interlocked.Increment(ref FramesAtServer));
                    Volatile.Write(ref Server, link);
                });
            Listener.Start();
            Client = UdpHandshake.ConnectAsync("127.0.0.1", Listener.LocalEndpoint.Port, clientSecurity, "victim", NullLogger.Instance, Timeout, CancellationToken.None)
                .WaitAsync(Timeout).GetAwaiter().GetResult();
            Client.Start((_, _) => { });
            WaitFor(() => Volatile.Read(ref Server) is not null, "the server never registered the client");
            Thread.Sleep(300);
            Assert.True(Client.IsOpen && ServerLink.IsOpen, $"client: {Client.CloseReason}; server: {ServerLink.CloseReason}");
            _ = ClientEndPoint;
        }

        public TunnelLink ServerLink => Volatile.Read(ref Server)!;
        public ClientUdpChannel ClientChannel => (ClientUdpChannel)((DatagramTunnelTransport)Client.Transport).Session.Channel;
        /// <summary>Read once: a killed client has no socket left to ask.</summary>
        public IPEndPoint ClientEndPoint => _clientEndPoint ??= (IPEndPoint)ClientChannel.Socket.LocalEndPoint!;
        private IPEndPoint? _clientEndPoint;
        public ulong ConnectionId => ClientChannel.ConnectionId;

        /// <summary>Frames the server delivered after the client sent <paramref name="count"/> more: the tunnel still carries traffic.</summary>
        public void AssertStillCarries(int count = 20)
        {
            int before = Volatile.Read(ref FramesAtServer);
            var frame = Frame(100);
            for (int i = 0; i < count; i++) Client.TrySendFrame(frame, 0x8864);
            WaitFor(() => Volatile.Read(ref FramesAtServer) >= before + count, $"only {Volatile.Read(ref FramesAtServer) - before} of {count} frames arrived after the attack; client {Client.CloseReason ?? "open"} ({Client.Counters}), server {ServerLink.CloseReason ?? "open"} ({ServerLink.Counters})");
        }

        public void Dispose()
        {
            Client.Dispose();
            Volatile.Read(ref Server)?.Dispose();
            Listener.Dispose();
        }
    }

    private TunnelSecurity ServerSecurity => new(ids.Server.Cert, new HashSet<string> { ids.Client.Fingerprint });
    private TunnelSecurity ClientSecurity => new(ids.Client.Cert, new HashSet<string> { ids.Server.Fingerprint });

    private static void WaitFor(Func<bool> condition, string what)
    {
        var until = Environment.TickCount64 + (long)Timeout.TotalMilliseconds;
        while (!condition())
        {
            if (Environment.TickCount64 > until) throw new TimeoutException(what);
            Thread.Sleep(20);
        }
    }

    private static byte[] WithHeader(ulong id, ReadOnlySpan<byte> content)
    {
        var datagram = new byte[DatagramFormat.OuterHeaderSize + content.Length];
        DatagramFormat.WriteOuter(datagram, DatagramFormat.MarkerDtls, id);
        content.CopyTo(datagram.AsSpan(DatagramFormat.OuterHeaderSize));
        return datagram;
    }

    /// <summary>A DTLS 1.2 record header and <paramref name="body"/> bytes of noise: what passes the header checks and reaches the record's decryption.</summary>
    private static byte[] DtlsShaped(byte type, ushort epoch, ulong sequence, int body, Random random)
    {
        var record = new byte[13 + body];
        record[0] = type;
        record[1] = 0xFE;
        record[2] = 0xFD;
        BinaryPrimitives.WriteUInt64BigEndian(record.AsSpan(3), ((ulong)epoch << 48) | (sequence & 0xFFFF_FFFF_FFFFUL));
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(11), (ushort)body);
        random.NextBytes(record.AsSpan(13));
        return record;
    }

    /// <summary>Sends <paramref name="payload"/> as UDP from <paramref name="from"/>'s port (raw socket: the kernel only adds the IP header, 127.0.0.1).</summary>
    private static void Spoof(Socket raw, IPEndPoint from, IPEndPoint to, ReadOnlySpan<byte> payload)
    {
        var udp = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, (ushort)from.Port);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), (ushort)to.Port);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        payload.CopyTo(udp.AsSpan(8)); // checksum 0: none, valid for UDP over IPv4
        raw.SendTo(udp, new IPEndPoint(to.Address, 0));
    }

    [Capture.RootFact] // spoofs the client's own address and port with a raw socket
    public void GarbageFromTheClientsOwnAddressIsCountedNeverDeliveredAndTheTunnelLives()
    {
        using var pair = new Pair(ServerSecurity, ClientSecurity);
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Udp);
        var random = new Random(12);
        var server = pair.Listener.LocalEndpoint;
        int sent = 0;
        // Noise, then records that pass the DTLS header checks: every content type, epochs 0 to 2, bodies
        // from empty (shorter than any AEAD's nonce and tag) to a full datagram.
        for (int i = 0; i < 100; i++, sent++) Spoof(raw, pair.ClientEndPoint, server, WithHeader(pair.ConnectionId, RandomBytes(random, random.Next(1, 1200))));
        foreach (byte type in new byte[] { 20, 21, 22, 23, 24, 25 })
            foreach (ushort epoch in new ushort[] { 0, 1, 2 })
                foreach (int body in new[] { 0, 1, 7, 8, 16, 23, 24, 25, 40, 300, 1200 })
                {
                    Spoof(raw, pair.ClientEndPoint, server, WithHeader(pair.ConnectionId, DtlsShaped(type, epoch, (ulong)random.NextInt64(0, 1000), body, random)));
                    sent++;
                }
        // A well-formed record followed by a stub shorter than a record header (BouncyCastle queues what follows a record).
        foreach (int stub in new[] { 1, 5, 12 })
        {
            var record = DtlsShaped(23, 1, (ulong)random.NextInt64(0, 1000), 40, random);
            Spoof(raw, pair.ClientEndPoint, server, WithHeader(pair.ConnectionId, [.. record, .. RandomBytes(random, stub)]));
            sent++;
        }
        // The same records the other way, as from the server's address to the client's port: the client end has the same record layer.
        int toClient = 0;
        foreach (int body in new[] { 0, 1, 8, 15, 16, 23, 40 })
        {
            Spoof(raw, server, pair.ClientEndPoint, WithHeader(pair.ConnectionId, DtlsShaped(23, 1, (ulong)random.NextInt64(0, 1000), body, random)));
            toClient++;
        }
        pair.AssertStillCarries();
        Assert.True(pair.Client.IsOpen && pair.ServerLink.IsOpen, $"closed: client {pair.Client.CloseReason}, server {pair.ServerLink.CloseReason}");
        WaitFor(() => pair.Client.Counters.Drops(DropReason.Unauthenticated) >= toClient, $"{toClient} injected at the client, counted: {pair.Client.Counters}");
        var drops = pair.ServerLink.Counters;
        // Every datagram counted (the cipher or the watch), none handed on as a frame.
        WaitFor(() => drops.Drops(DropReason.Unauthenticated) + drops.Drops(DropReason.Replayed) >= sent - 5,
            $"{sent} injected, counted: {drops}");
        Assert.Equal(pair.ClientEndPoint.Port, ((ServerUdpChannel)((DatagramTunnelTransport)pair.ServerLink.Transport).Session.Channel).PeerEndPoint.Port);
    }

    [Capture.RootFact] // spoofs the client's own address and port with a raw socket
    public void ReplayedDatagramsOfTheClientAreCountedAsReplaysAndNotDeliveredTwice()
    {
        using var pair = new Pair(ServerSecurity, ClientSecurity);
        var server = pair.Listener.LocalEndpoint;
        using var sniff = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Udp) { ReceiveTimeout = 2000 };
        sniff.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        pair.AssertStillCarries(10);
        // Copies of what the client sends from now on: the raw socket sees every UDP datagram on lo.
        var captured = new List<byte[]>();
        var frame = Frame(200);
        for (int i = 0; i < 10; i++) pair.Client.TrySendFrame(frame, 0x8864);
        var buffer = new byte[65536];
        // The packer puts several frames in a datagram: take what comes within a second.
        sniff.ReceiveTimeout = 1000;
        while (true)
        {
            int length;
            try { length = sniff.Receive(buffer); }
            catch (SocketException) { break; }
            int ipHeader = (buffer[0] & 0xF) * 4;
            int sourcePort = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(ipHeader));
            int destinationPort = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(ipHeader + 2));
            if (sourcePort == pair.ClientEndPoint.Port && destinationPort == server.Port) captured.Add(buffer.AsSpan(ipHeader + 8, length - ipHeader - 8).ToArray());
        }
        Assert.NotEmpty(captured);
        WaitFor(() => Volatile.Read(ref pair.FramesAtServer) >= 20, "the originals never arrived");
        Thread.Sleep(200);
        int delivered = Volatile.Read(ref pair.FramesAtServer);
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Udp);
        for (int round = 0; round < 3; round++) foreach (var datagram in captured) Spoof(raw, pair.ClientEndPoint, server, datagram);
        // And from another address: an authenticated record, but not the newest, must not move the association there.
        using (var elsewhere = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            elsewhere.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0));
            foreach (var datagram in captured) elsewhere.SendTo(datagram, server);
        }
        var drops = pair.ServerLink.Counters;
        WaitFor(() => drops.Drops(DropReason.Replayed) >= 4 * captured.Count, $"{4 * captured.Count} replayed, counted: {drops}");
        Assert.Equal(delivered, Volatile.Read(ref pair.FramesAtServer));
        Assert.Equal(0, pair.Listener.AddressChanges);
        Assert.Equal(pair.ClientEndPoint, ((ServerUdpChannel)((DatagramTunnelTransport)pair.ServerLink.Transport).Session.Channel).PeerEndPoint);
        pair.AssertStillCarries();
        Assert.True(pair.ServerLink.IsOpen, $"closed: {pair.ServerLink.CloseReason}");
    }

    [Fact]
    public void AMovedClientThatCannotAuthenticateDoesNotMoveTheAssociation()
    {
        using var pair = new Pair(ServerSecurity, ClientSecurity);
        var random = new Random(3);
        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        attacker.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        // Its id, records of the live epoch and sequences ahead of the client's: "newest" if they authenticated.
        for (int i = 0; i < 200; i++)
            attacker.SendTo(WithHeader(pair.ConnectionId, DtlsShaped(23, 1, 1_000_000 + (ulong)i, random.Next(0, 300), random)), pair.Listener.LocalEndpoint);
        pair.AssertStillCarries();
        var channel = (ServerUdpChannel)((DatagramTunnelTransport)pair.ServerLink.Transport).Session.Channel;
        Assert.Equal(pair.ClientEndPoint, channel.PeerEndPoint);
        Assert.Equal(0, pair.Listener.AddressChanges);
        WaitFor(() => pair.ServerLink.Counters.Drops(DropReason.Unauthenticated) >= 195, $"counted: {pair.ServerLink.Counters}");
        // Nothing went to the attacker's address.
        attacker.ReceiveTimeout = 500;
        Assert.Throws<SocketException>(() => attacker.Receive(new byte[2048]));
    }

    /// <summary>An Ethernet frame of PPPoE session type (what a link carries).</summary>
    private static byte[] Frame(int length)
    {
        var frame = new byte[length];
        frame[12] = 0x88;
        frame[13] = 0x64;
        return frame;
    }

    [Fact]
    public void AFloodWithTheTunnelsIdFromAnotherAddressDoesNotCrowdOutTheClientsDatagrams()
    {
        using var pair = new Pair(ServerSecurity, ClientSecurity);
        var random = new Random(3);
        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        attacker.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        // Records that pass every header check and cost the reader a decryption each: the id is all it takes.
        var junk = WithHeader(pair.ConnectionId, DtlsShaped(23, 1, 5_000_000, 1000, random));
        int before = Volatile.Read(ref pair.FramesAtServer);
        var stop = Environment.TickCount64 + 2000;
        long flood = 0;
        var flooder = new Thread(() => { while (Environment.TickCount64 < stop) { attacker.SendTo(junk, pair.Listener.LocalEndpoint); flood++; } });
        flooder.Start();
        var frame = Frame(200);
        int sent = 0;
        while (Environment.TickCount64 < stop)
        {
            if (pair.Client.TrySendFrame(frame, 0x8864)) sent++;
            Thread.Sleep(1);
        }
        flooder.Join();
        Thread.Sleep(500);
        int delivered = Volatile.Read(ref pair.FramesAtServer) - before;
        var counted = pair.ServerLink.Counters.Drops(DropReason.Unauthenticated) + pair.Refusals.Snapshot().GetValueOrDefault("udp-foreign-source");
        string what = $"{flood} junk datagrams in 2 s; {delivered} of {sent} frames delivered; server {pair.ServerLink.Counters}, refusals {string.Join(", ", pair.Refusals.Snapshot())}";
        // The queue is never what drops the client's datagrams. The shared socket's kernel buffer still may under a
        // flood the dispatcher cannot keep up with (counted as Lost): 4-11 % here on a busy machine, 45-60 % before.
        output.WriteLine(what);
        Assert.Equal(0, pair.ServerLink.Counters.Drops(DropReason.QueueFull));
        Assert.True(delivered >= sent * 80 / 100, what);
        Assert.True(counted > 0, what);
        Assert.True(pair.ServerLink.IsOpen, what);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
