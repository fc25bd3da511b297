using System.Net;
using System.Net.Sockets;
using PppoeProxy.Engine.Tunnel.Datagram;
using PppoeProxy.Engine.Tunnel.Wire;
using Xunit;

namespace PppoeProxy.Tests.Tunnel.Datagram;

/// <summary>
/// The UDP transport hands the link every datagram already waiting in one read (so the link injects
/// them with one sendmmsg), yet never waits for more than what is there.
/// </summary>
public class DatagramReceiveBatchTests
{
    private const ulong Id = 0x1122334455667788;

    private static (DatagramTunnelTransport Transport, ServerUdpChannel Channel, Socket Socket) Server()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var peer = new IPEndPoint(IPAddress.Loopback, 40000).Serialize();
        var channel = new ServerUdpChannel(socket, Id, DatagramFormat.MarkerPlain, DatagramFormat.DefaultMaxDatagram, peer);
        return (new DatagramTunnelTransport(new PlainDatagramSession(channel)), channel, socket);
    }

    // Each frame packed and flushed alone: one datagram per frame, as a light sender sends them.
    private static void Queue(ServerUdpChannel channel, DatagramPacker packer, List<byte[]> sent, byte[] frame)
    {
        var record = new byte[WireCodec.FrameRecordSize(frame.Length)];
        WireCodec.WriteFrameRecord(record, frame);
        packer.Write(record);
        packer.Flush();
        var payload = sent[^1];
        var datagram = new byte[DatagramFormat.OuterHeaderSize + payload.Length];
        DatagramFormat.WriteOuter(datagram, DatagramFormat.MarkerPlain, Id);
        payload.CopyTo(datagram, DatagramFormat.OuterHeaderSize);
        Assert.True(channel.Queue.TryEnqueue(datagram, channel.Peer));
    }

    private static List<int> FrameLengths(ReadOnlySpan<byte> records)
    {
        var lengths = new List<int>();
        while (!records.IsEmpty)
        {
            Assert.Equal(RecordStatus.Ok, WireCodec.TryReadRecord(records, out _, out var payload, out int consumed));
            lengths.Add(payload.Length);
            records = records[consumed..];
        }
        return lengths;
    }

    [Fact]
    public void OneReadReturnsEveryQueuedDatagramAndDoesNotWaitForMore()
    {
        var (transport, channel, socket) = Server();
        using var _ = socket;
        var sent = new List<byte[]>();
        var packer = new DatagramPacker(channel.GetSendLimit(), p => sent.Add(p.ToArray()));
        for (int i = 0; i < 5; i++) Queue(channel, packer, sent, new byte[100 + i]);

        var buffer = new byte[WireCodec.MaxRecordSize];
        var read = Task.Run(() => transport.Receive(buffer));
        Assert.True(read.Wait(TimeSpan.FromSeconds(5)), "the read waited for a datagram that was not there");
        Assert.Equal(new[] { 100, 101, 102, 103, 104 }, FrameLengths(buffer.AsSpan(0, read.Result)));
        channel.Close();
    }

    [Fact]
    public void WhatDoesNotFitTheReadComesWholeInTheNextOne()
    {
        var (transport, channel, socket) = Server();
        using var _ = socket;
        var sent = new List<byte[]>();
        var packer = new DatagramPacker(channel.GetSendLimit(), p => sent.Add(p.ToArray()));
        for (int i = 0; i < 3; i++) Queue(channel, packer, sent, new byte[1000 + i]);

        var buffer = new byte[2 * WireCodec.FrameRecordSize(1001)];
        int first = transport.Receive(buffer);
        Assert.Equal(new[] { 1000, 1001 }, FrameLengths(buffer.AsSpan(0, first)));
        int second = transport.Receive(buffer);
        Assert.Equal(new[] { 1002 }, FrameLengths(buffer.AsSpan(0, second)));
        channel.Close();
    }
}
