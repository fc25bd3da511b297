using System.Net;
using System.Net.Sockets;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// A NAT in miniature for the UDP transport's tests: the client sends to the relay, the relay sends
/// on to the server from an outside socket of its own and back. <see cref="Rebind"/> swaps the outside
/// socket for one on another address and port mid-session, which is what the server sees when a NAT
/// rebinds or a site changes its address.
/// </summary>
public sealed class UdpRelay : IDisposable
{
    private readonly Socket _inside;
    private readonly IPEndPoint _server;
    private volatile Socket _outside;
    private volatile EndPoint? _client;
    private readonly List<Socket> _retired = new();
    private volatile bool _stopped;

    public UdpRelay(IPEndPoint server, IPAddress outsideAddress)
    {
        _server = server;
        _inside = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _inside.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _outside = Outside(outsideAddress);
        new Thread(InsideLoop) { IsBackground = true, Name = "relay-in" }.Start();
    }

    public int Port => ((IPEndPoint)_inside.LocalEndPoint!).Port;
    public IPEndPoint OutsideEndPoint => (IPEndPoint)_outside.LocalEndPoint!;

    /// <summary>From now on the server hears the client from a new address and port.</summary>
    public IPEndPoint Rebind(IPAddress outsideAddress)
    {
        var old = _outside;
        _outside = Outside(outsideAddress);
        lock (_retired) _retired.Add(old);
        return OutsideEndPoint;
    }

    private Socket Outside(IPAddress address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(address, 0));
        new Thread(() => OutsideLoop(socket)) { IsBackground = true, Name = "relay-out" }.Start();
        return socket;
    }

    private void InsideLoop()
    {
        var buffer = new byte[65536];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (!_stopped)
        {
            try
            {
                int n = _inside.ReceiveFrom(buffer, ref from);
                _client = from;
                _outside.SendTo(buffer.AsSpan(0, n), SocketFlags.None, _server);
            }
            catch (SocketException) when (!_stopped) { }
            catch (Exception) { return; }
        }
    }

    private void OutsideLoop(Socket socket)
    {
        var buffer = new byte[65536];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (!_stopped)
        {
            try
            {
                int n = socket.ReceiveFrom(buffer, ref from);
                if (_client is { } client) _inside.SendTo(buffer.AsSpan(0, n), SocketFlags.None, client);
            }
            catch (SocketException) when (!_stopped) { }
            catch (Exception) { return; }
        }
    }

    public void Dispose()
    {
        _stopped = true;
        _inside.Dispose();
        _outside.Dispose();
        lock (_retired) _retired.ForEach(s => s.Dispose());
    }
}
