using System.Net;
using System.Net.Sockets;
using PppoeProxy.Engine.Tunnel.Datagram;
using Xunit;

namespace PppoeProxy.Tests.Tunnel.Datagram;

/// <summary>An association's inbound queue on the server: bounded, in order, memory only for what it holds.</summary>
public class DatagramQueueTests
{
    private static SocketAddress From(int port) => new IPEndPoint(IPAddress.Loopback, port).Serialize();

    [Fact]
    public void AFullQueueRefusesMoreAndAQuietOneHoldsFewBuffers()
    {
        var queue = new DatagramQueue(8, 2048, AddressFamily.InterNetwork);
        Assert.Equal(0, queue.AllocatedSlots);
        for (int i = 0; i < 3; i++) Assert.True(queue.TryEnqueue(new byte[] { (byte)i }, From(1000 + i)));
        Assert.Equal(3, queue.AllocatedSlots);
        for (int i = 3; i < 8; i++) Assert.True(queue.TryEnqueue(new byte[] { (byte)i }, From(1000 + i)));
        Assert.False(queue.TryEnqueue(new byte[] { 9 }, From(2000)));
        Assert.False(queue.TryEnqueue(new byte[2049], From(2000)));

        var buffer = new byte[16];
        var source = new SocketAddress(AddressFamily.InterNetwork);
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(1, queue.Dequeue(buffer, source, 100));
            Assert.Equal(i, buffer[0]);
            Assert.Equal(From(1000 + i), source);
        }
        Assert.Equal(-1, queue.Dequeue(buffer, source, 50));
        queue.Close();
        Assert.Throws<ObjectDisposedException>(() => queue.Dequeue(buffer, source, 50));
        Assert.False(queue.TryEnqueue(new byte[] { 1 }, From(1)));
    }

    [Fact]
    public void BeforeTheHandshakeEndsAnAssociationGetsAFewSlotsThenAllOfThem()
    {
        var queue = new DatagramQueue(DatagramQueue.DefaultSlots, 2048, AddressFamily.InterNetwork);
        int taken = 0;
        while (queue.TryEnqueue(new byte[] { 1 }, From(1))) taken++;
        Assert.Equal(DatagramQueue.HandshakeSlots, taken);
        queue.Widen();
        while (queue.TryEnqueue(new byte[] { 1 }, From(1))) taken++;
        Assert.Equal(DatagramQueue.DefaultSlots, taken);
        Assert.True(DatagramQueue.DefaultSlots >= 2048); // bursts of 10-100 ms at 20 k datagrams/s
    }
}
