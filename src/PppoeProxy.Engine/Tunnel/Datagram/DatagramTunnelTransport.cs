using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>
/// v1 records over datagrams (issue 14): the link writes its record stream as with TCP, the packer
/// turns it into datagrams of at most the session's payload size (fragmenting what is larger), and
/// the reader gets whole records back in arrival order. Losses are counted, never retransmitted:
/// PPP and what it carries (TCP) recover on their own, without TCP-over-TCP's stalls.
/// </summary>
internal sealed class DatagramTunnelTransport : CodecTunnelTransport
{
    private readonly IDatagramSession _session;
    private readonly DatagramPacker _packer;
    private readonly DatagramUnpacker _unpacker = new();
    private readonly byte[] _payload;
    private readonly byte[]? _handshakeReply; // server: answers a hello sent again because our reply was lost
    private byte[]? _overflow; // records of one payload that did not fit the reader's span
    private int _overflowOffset, _overflowLength;
    private int _shut;
    private long _tooLargeCounted;

    public DatagramTunnelTransport(IDatagramSession session, ReadOnlySpan<byte> handshakeReply = default) : base(TunnelCodec.For(TunnelMode.V1))
    {
        _session = session;
        _packer = new DatagramPacker(session.MaxPayload, session.Send);
        _payload = new byte[DatagramFormat.MaxReceiveDatagram];
        if (!handshakeReply.IsEmpty) _handshakeReply = handshakeReply.ToArray();
    }

    internal IDatagramSession Session => _session;
    internal DatagramPacker Packer => _packer;
    internal DatagramUnpacker Unpacker => _unpacker;

    /// <summary>The link's counters, for losses, replays and unauthenticated datagrams.</summary>
    public TunnelCounters? Counters
    {
        get => _unpacker.Counters;
        set
        {
            _unpacker.Counters = value;
            _session.Counters = value;
        }
    }


    // Why more than one datagram per call: the link injects what one Receive brought with one sendmmsg
    // and the sink wakes once for it. One datagram per call (~1 frame at 1514 B) was one inject syscall
    // and one wake-up of the receiving side per frame: half the server reader's time (perf, 35 k/s).
    // The wait for a datagram already queued is short: one the session discards (a replay, a bad MAC)
    // must not hold back the frames gathered so far.
    private const int PendingWaitMillis = 1;

    public override int Receive(Span<byte> buffer)
    {
        int total = 0;
        try
        {
            while (true)
            {
                if (_overflowLength > 0) return total > 0 ? total : FromOverflow(buffer);
                if (total > 0 && !_session.Channel.HasPending) return total;
                int length = _session.Receive(_payload, total > 0 ? PendingWaitMillis : 0);
                if (length < 0)
                {
                    if (total > 0) return total;
                    continue;
                }
                switch (_unpacker.Accept(_payload.AsSpan(0, length), out var content))
                {
                    case UnpackResult.Records:
                        if (content.Length <= buffer.Length - total)
                        {
                            content.CopyTo(buffer[total..]);
                            total += content.Length;
                            break;
                        }
                        _overflow ??= new byte[WireCodec.MaxRecordSize];
                        content.CopyTo(_overflow);
                        _overflowOffset = 0;
                        _overflowLength = content.Length;
                        if (total > 0) return total;
                        return FromOverflow(buffer);
                    case UnpackResult.Handshake when _handshakeReply is not null && content.Length > 0 && content[0] == (byte)'P':
                        SendHandshake(_session, _handshakeReply);
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            if (total > 0) return total; // what arrived before the channel closed still goes; the next call reports it
            if (Volatile.Read(ref _shut) == 1) return 0;
            throw new TunnelTransportException($"connection lost: {OneLine(e)}", e);
        }
    }

    private int FromOverflow(Span<byte> buffer)
    {
        int take = Math.Min(buffer.Length, _overflowLength);
        _overflow.AsSpan(_overflowOffset, take).CopyTo(buffer);
        _overflowOffset += take;
        _overflowLength -= take;
        return take;
    }

    public override void Send(ReadOnlySpan<byte> records)
    {
        try
        {
            _session.Channel.BeginBatch();
            _packer.Write(records);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException) { throw new TunnelTransportException($"write failed: {OneLine(e)}", e); }
    }

    public override void Flush()
    {
        try
        {
            _packer.Flush();
            _session.Channel.EndBatch();
            // A datagram the path refused (EMSGSIZE with Don't Fragment) or the kernel had no buffer for
            // (ENOBUFS) is a frame lost: counted, never hidden.
            long tooLarge = Volatile.Read(ref _session.Channel.TooLarge) + Volatile.Read(ref _session.Channel.NoBuffers);
            if (tooLarge != _tooLargeCounted)
            {
                Counters?.Drop(DropReason.Lost, tooLarge - _tooLargeCounted);
                _tooLargeCounted = tooLarge;
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException) { throw new TunnelTransportException($"write failed: {OneLine(e)}", e); }
    }

    // sendto on UDP does not wait for the peer: the socket buffer is the only limit, and it is large.
    public override bool CanSendNow => Volatile.Read(ref _shut) == 0;

    public override void Shutdown()
    {
        if (Interlocked.Exchange(ref _shut, 1) == 1) return;
        _session.Close();
    }

    public override void Dispose() => Shutdown();

    /// <summary>A hello or reply as one datagram (kind 2).</summary>
    internal static void SendHandshake(IDatagramSession session, ReadOnlySpan<byte> message)
    {
        Span<byte> payload = stackalloc byte[DatagramFormat.InnerHeaderSize + message.Length];
        session.Send(payload[..DatagramPacker.WriteHandshake(payload, message)]);
    }

    internal static string OneLine(Exception e) => (e.InnerException is { } inner && e is not TunnelTransportException ? $"{e.Message} ({inner.Message})" : e.Message).ReplaceLineEndings(" ");
}
