using Microsoft.Extensions.Logging;
using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// One established tunnel (after TLS and handshake), speaking records through its
/// <see cref="ITunnelTransport"/>: a reader thread that decodes records and hands frames to the end,
/// and a <see cref="TunnelSender"/> for the other direction. Keepalive bookkeeping, goodbyes and the
/// one-time close live here; sockets, TLS and the wire version do not.
/// </summary>
public sealed class TunnelLink : IDisposable
{
    public const int DefaultRingBytes = 4 * 1024 * 1024;
    /// <summary>The read buffer under load; it starts at one record's size and grows to this when a read fills it.</summary>
    public const int ReadBufferBytes = 256 * 1024;

    private readonly ITunnelTransport _transport;
    private readonly TunnelSender _sender;
    private readonly ILogger _log;
    private byte[]? _frameScratch; // the producer's own, allocated by its first frame
    private byte[]? _readBuffer; // the reader thread's
    private LinkFrameHandler? _onFrame;
    private Action<TunnelLink>? _afterRecords;
    private Action<TunnelLink>? _readerDone;
    private Thread? _reader;
    private int _closed;
    /// <summary>Client MACs this tunnel owns (kept by <see cref="MacOwnership"/>, which bounds it).</summary>
    internal int OwnedMacs;
    private int _warnedUnknownRecord;
    private long _lastReceivedTicks = Environment.TickCount64;
    private long _lastPongTicks = Environment.TickCount64;
    private static long _nextId;

    public TunnelLink(ITunnelTransport transport, string peerName, string? peerFingerprint, ILogger logger, int ringBytes = DefaultRingBytes)
    {
        _transport = transport;
        _sender = new TunnelSender(transport, ringBytes, failed => Shutdown(IsOpen ? failed.Message : CloseReason ?? "closed"));
        _log = logger;
        _peerName = peerName;
        PeerFingerprint = peerFingerprint;
        Id = Interlocked.Increment(ref _nextId);
    }

    public long Id { get; }
    private string _peerName;
    /// <summary>The peer's address, and the name its certificate or hello gave: "ADDR" or "ADDR (NAME)".</summary>
    public string PeerName => Volatile.Read(ref _peerName);

    /// <summary>A datagram tunnel's client moved (NAT rebinding, roaming): status and logs name where it is now.</summary>
    internal void PeerMovedTo(string address)
    {
        var name = PeerName;
        int named = name.IndexOf(" (", StringComparison.Ordinal);
        Volatile.Write(ref _peerName, named < 0 ? address : address + name[named..]);
    }
    /// <summary>The peer's pinned certificate fingerprint; null for plain-text tunnels.</summary>
    public string? PeerFingerprint { get; }
    public TunnelCounters Counters { get; } = new();
    public DateTimeOffset ConnectedAt { get; } = DateTimeOffset.UtcNow;
    public bool IsOpen => Volatile.Read(ref _closed) == 0;
    public string? CloseReason { get; private set; }
    public TimeSpan SinceLastReceived => TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastReceivedTicks));
    public TimeSpan SinceLastPong => TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastPongTicks));
    public long QueuedBytes => _sender.QueuedBytes;
    /// <summary>The client said in its hello that it sends Claims records (v1 only), and the server accepted.</summary>
    public bool ClaimsAgreed { get; internal init; }
    /// <summary>
    /// Server side: called on the reader thread with the payload of each Claims record, when
    /// <see cref="ClaimsAgreed"/>. Set before <see cref="Start"/>; without it Claims records are skipped.
    /// </summary>
    public LinkFrameHandler? ClaimsHandler { get; set; }
    internal ITunnelTransport Transport => _transport;
    /// <summary>For the lines the peer can cause (set by the end before <see cref="Start"/>).</summary>
    internal Diagnostics.RateLimitedLog? PeerLog { get; set; }
    /// <summary>Whether the link holds its sender thread and ring now (tests: an idle link must not).</summary>
    public bool HasSenderThread => _sender.HasThread;
    public bool HasRingBuffer => _sender.HasRingBuffer;
    /// <summary>The reader's buffer size now (tests: small until traffic needs more).</summary>
    public int ReadBufferSize => Volatile.Read(ref _readBufferSize);
    private int _readBufferSize;

    /// <summary>Raised once, on whichever thread noticed, after the link closed.</summary>
    public event Action<TunnelLink, string>? Closed;

    /// <param name="afterRecords">Called on the reader thread after the records of one socket read were handled,
    /// before it may block again: the moment to flush work batched per frame (e.g. injections).</param>
    /// <param name="readerDone">Called last on the reader thread when it ends: frees what only it used.</param>
    public void Start(LinkFrameHandler onFrame, Action<TunnelLink>? afterRecords = null, Action<TunnelLink>? readerDone = null)
    {
        _onFrame = onFrame;
        _afterRecords = afterRecords;
        _readerDone = readerDone;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = $"tunnel-{Id}-read" };
        _sender.Start($"tunnel-{Id}-write");
        _reader.Start();
    }

    /// <summary>Sends or queues a frame; false when it was dropped, counted here by why (closed, too large, queue full).</summary>
    public bool TrySendFrame(ReadOnlySpan<byte> frame, ushort etherType)
    {
        if (!IsOpen) return Dropped(DropReason.Disconnected);
        if (frame.Length > _transport.MaxFrameLength) return Dropped(DropReason.Malformed);
        var scratch = _frameScratch ??= new byte[_transport.MaxRecordSize];
        if (!_sender.TrySendFrame(frame, etherType, scratch)) return Dropped(DropReason.QueueFull);
        Counters.CountToTunnel(frame.Length);
        return true;
    }

    private bool Dropped(DropReason reason)
    {
        Counters.Drop(reason);
        return false;
    }

    /// <summary>Queues an encoded Claims record (client side, after a hello that announced them) with the control records.</summary>
    public void SendClaims(ReadOnlySpan<byte> record)
    {
        if (IsOpen && ClaimsAgreed) _sender.QueueControl(record.ToArray());
    }

    public void SendPing() => SendControl(buffer => _transport.WritePing(buffer, (ulong)Environment.TickCount64));

    // Its own method: a lambda capturing a local of Dispatch's switch makes every record, each frame
    // included, allocate the closure (the captured variable's scope is the whole switch block).
    private void SendPong(ulong token) => SendControl(buffer => _transport.WritePong(buffer, token));

    private void SendControl(Func<byte[], int> write)
    {
        if (!IsOpen) return;
        var buffer = new byte[_transport.MaxControlRecordSize];
        int length = write(buffer);
        if (length == 0) return;
        _sender.QueueControl(buffer.AsSpan(0, length).ToArray());
    }

    /// <summary>
    /// Closes the link. With <paramref name="goodbye"/>, a goodbye record is sent first (v1) and
    /// queued frames are flushed, waiting at most <paramref name="flushTimeout"/>: a stop never hangs.
    /// </summary>
    public void Close(string reason, string? goodbye = null, TimeSpan? flushTimeout = null)
    {
        if (goodbye is not null && IsOpen)
        {
            SendControl(buffer => _transport.WriteGoodbye(buffer, goodbye));
            var deadline = Environment.TickCount64 + (long)(flushTimeout ?? TimeSpan.FromSeconds(1)).TotalMilliseconds;
            while (IsOpen && _sender.HasPending && Environment.TickCount64 < deadline) Thread.Sleep(5);
        }
        Shutdown(reason);
    }

    private void Shutdown(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        CloseReason = reason;
        _sender.Stop();
        _transport.Shutdown();
        Closed?.Invoke(this, reason);
    }

    private void ReadLoop()
    {
        try { ReadRecords(); }
        finally { _readerDone?.Invoke(this); }
    }

    private void ReadRecords()
    {
        // One record's room is enough for an idle or light tunnel; a read that fills it means load, and only then the big buffer.
        var buffer = NewReadBuffer(Math.Min(_transport.MaxRecordSize, ReadBufferBytes));
        int filled = 0;
        try
        {
            while (IsOpen)
            {
                int read = _transport.Receive(buffer.AsSpan(filled));
                if (read == 0)
                {
                    Shutdown("peer closed the connection");
                    return;
                }
                Volatile.Write(ref _lastReceivedTicks, Environment.TickCount64);
                bool full = filled + read == buffer.Length;
                filled += read;
                int offset = 0;
                while (IsOpen)
                {
                    var status = _transport.TryReadRecord(buffer.AsSpan(offset, filled - offset), out var kind, out var payload, out int consumed);
                    if (status == RecordStatus.NeedMoreData) break;
                    if (status == RecordStatus.UnknownType)
                    {
                        // A later version's informational record: skipped, so adding one never breaks older peers.
                        if (Interlocked.Exchange(ref _warnedUnknownRecord, 1) == 0)
                            _log.LogWarning("tunnel {Peer}: skipping records of a type this version does not know", PeerName);
                        offset += consumed;
                        continue;
                    }
                    if (status != RecordStatus.Ok || kind == TunnelRecordKind.Unknown)
                    {
                        var why = status == RecordStatus.Ok ? "unknown record type" : $"{status} record";
                        // A peer can connect, send garbage and reconnect at will: its end's rate-limited log when it has one.
                        if (PeerLog is { } limited) limited.Warning("tunnel-protocol-error", "tunnel {Peer}: protocol error ({Why}); closing", PeerName, why);
                        else _log.LogWarning("tunnel {Peer}: protocol error ({Why}); closing", PeerName, why);
                        Shutdown($"protocol error: {why}");
                        return;
                    }
                    Dispatch(kind, payload);
                    offset += consumed;
                }
                _afterRecords?.Invoke(this);
                // Keep the partial record at the front; the buffer always has room for one whole record.
                if (offset > 0)
                {
                    Buffer.BlockCopy(buffer, offset, buffer, 0, filled - offset);
                    filled -= offset;
                }
                if (full && buffer.Length < ReadBufferBytes)
                {
                    var larger = NewReadBuffer(ReadBufferBytes);
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    buffer = larger;
                }
            }
        }
        catch (TunnelTransportException error)
        {
            Shutdown(IsOpen ? error.Message : CloseReason ?? "closed");
        }
    }

    // Pinned so the end can inject frames from it without copying them (see IsInReadBuffer); the reader's only.
    private byte[] NewReadBuffer(int size)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(size, pinned: true);
        _readBuffer = buffer;
        Volatile.Write(ref _readBufferSize, buffer.Length);
        return buffer;
    }

    /// <summary>
    /// On the reader thread, for a frame the link delivered: whether <paramref name="bytes"/> lie in the read
    /// buffer, which is pinned and keeps what one read brought unchanged until the after-records callback
    /// returns: until then a batch may point at them instead of copying them.
    /// </summary>
    internal bool IsInReadBuffer(ReadOnlySpan<byte> bytes) => _readBuffer is { } buffer && buffer.AsSpan().Overlaps(bytes, out int offset) && offset >= 0 && offset + bytes.Length <= buffer.Length;

    private void Dispatch(TunnelRecordKind kind, ReadOnlySpan<byte> payload)
    {
        switch (kind)
        {
            case TunnelRecordKind.Frame:
                Counters.CountFromTunnel(payload.Length);
                _onFrame!(this, payload);
                break;
            case TunnelRecordKind.Ping:
                SendPong(_transport.ReadPingToken(payload));
                break;
            case TunnelRecordKind.Pong:
                Volatile.Write(ref _lastPongTicks, Environment.TickCount64);
                break;
            case TunnelRecordKind.Claims:
                // Only a client that announced them may send claims, and only a server reads them.
                if (ClaimsAgreed) ClaimsHandler?.Invoke(this, payload);
                break;
            case TunnelRecordKind.Goodbye:
                var text = _transport.ReadGoodbyeText(payload);
                Shutdown($"peer said goodbye{(text.Length > 0 ? ": " + text : "")}");
                break;
        }
    }

    public void Dispose() => Close("disposed");

    public override string ToString() => $"{PeerName}{(PeerFingerprint is null ? "" : $" [{PeerFingerprint[..12]}]")}";
}
