using System.Net;
using System.Net.Sockets;
using PppoeProxy.Engine.Tunnel.Datagram;
using Xunit;

namespace PppoeProxy.Tests.Tunnel.Datagram;

/// <summary>
/// The writer's batch leaves as runs of equal-size datagrams with UDP_SEGMENT (GSO): the peer must still
/// get exactly the datagrams sent, same sizes, same order, whatever mix of sizes the batch held.
/// </summary>
public class UdpSegmentedSendTests
{
    [Fact]
    public void AMixOfSizesArrivesAsTheSameDatagramsInOrder()
    {
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        receiver.ReceiveBufferSize = 1 << 20;
        var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Connect(receiver.LocalEndPoint!);
        var channel = new ClientUdpChannel(sender, 7, DatagramFormat.MarkerPlain, DatagramFormat.DefaultMaxDatagram);
        int max = channel.GetSendLimit();
        // Runs of full ones, a shorter one ending a run, one alone, a larger one after a smaller, a tiny last one.
        int[] sizes = [max, max, max, 800, max, max, 300, 300, 900, max, 1, max, max, max, max, 17];
        channel.BeginBatch();
        for (int i = 0; i < sizes.Length; i++)
        {
            var payload = new byte[sizes[i]];
            Array.Fill(payload, (byte)i);
            channel.Send(payload);
        }
        channel.EndBatch();

        var buffer = new byte[65536];
        receiver.ReceiveTimeout = 2000;
        for (int i = 0; i < sizes.Length; i++)
        {
            int length = receiver.Receive(buffer);
            Assert.Equal(DatagramFormat.OuterHeaderSize + sizes[i], length);
            Assert.True(DatagramFormat.TryReadOuter(buffer.AsSpan(0, length), out _, out ulong id));
            Assert.Equal(7UL, id);
            Assert.All(buffer.AsSpan(DatagramFormat.OuterHeaderSize, sizes[i]).ToArray(), b => Assert.Equal((byte)i, b));
        }
        Assert.Equal(0, receiver.Available);
        channel.Close();
    }
}
