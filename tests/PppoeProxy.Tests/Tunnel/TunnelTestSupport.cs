using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using PppoeProxy.Engine.Tunnel.Security;

namespace PppoeProxy.Tests.Tunnel;

/// <summary>Identities made once per test class with the real CertificateFiles code (files in a temp dir).</summary>
public sealed class TunnelIdentities : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "pppoeproxy-tunnel-" + Guid.NewGuid().ToString("n"));
    public (X509Certificate2 Cert, string Fingerprint) Server { get; }
    public (X509Certificate2 Cert, string Fingerprint) Client { get; }
    public (X509Certificate2 Cert, string Fingerprint) Stranger { get; }

    public TunnelIdentities()
    {
        Server = Make("server");
        Client = Make("client");
        Stranger = Make("stranger");
    }

    public (X509Certificate2, string) Make(string name)
    {
        string prefix = Path.Combine(Directory, name);
        string fingerprint = CertificateFiles.Create(prefix, name);
        return (CertificateFiles.Load(prefix), fingerprint);
    }

    public void Dispose()
    {
        Server.Cert.Dispose();
        Client.Cert.Dispose();
        Stranger.Cert.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A real TCP connection over loopback: the accepted server side and the client side.</summary>
public static class Loopback
{
    public static async Task<(NetworkStream Server, NetworkStream Client)> ConnectAsync(IPAddress address)
    {
        var listener = new TcpListener(address, 0);
        listener.Start();
        try
        {
            var client = new TcpClient(address.AddressFamily);
            Task connect = client.ConnectAsync(address, ((IPEndPoint)listener.LocalEndpoint).Port);
            TcpClient accepted = await listener.AcceptTcpClientAsync();
            await connect;
            return (new NetworkStream(accepted.Client, ownsSocket: true), new NetworkStream(client.Client, ownsSocket: true));
        }
        finally { listener.Stop(); }
    }

    /// <summary>A listening socket on 127.0.0.1 (port chosen by the kernel), for tests that need raw sockets.</summary>
    public static Socket Listen(out int port)
    {
        var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(16);
        port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        return listener;
    }

    public static async Task<byte[]> ReadExactlyAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        return buffer;
    }
}

/// <summary>Passes everything through and keeps a copy of what was written, i.e. what went on the wire.</summary>
public sealed class RecordingStream : Stream
{
    private readonly Stream _inner;
    private readonly MemoryStream _written = new();

    public RecordingStream(Stream inner) => _inner = inner;

    public byte[] Written { get { lock (_written) return _written.ToArray(); } }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => _inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        lock (_written) _written.Write(buffer, offset, count);
        _inner.Write(buffer, offset, count);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (_written) _written.Write(buffer.Span);
        return _inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }
}
