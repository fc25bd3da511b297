using System.Buffers.Binary;
using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>
/// Receiving side of the UDP transport: unwraps payloads in arrival order, rejoins fragments (in
/// order only: a gap drops that frame) and counts the peer's datagrams that never came from the
/// gaps in its sequence. Nothing is held back to reorder. One thread (the link's reader).
/// </summary>
internal sealed class DatagramUnpacker
{
    private byte[]? _assembly; // allocated by the first fragmented record, kept for the link's life
    private int _assembled;
    private ushort _messageId;
    private int _nextIndex = -1; // -1: no record being rejoined
    private int _count;
    private uint _lastSequence;
    private bool _seenAny;

    /// <summary>Where losses and broken payloads are counted; set once the link exists.</summary>
    public TunnelCounters? Counters { get; set; }
    public long Lost { get; private set; }
    public long Late { get; private set; }

    public UnpackResult Accept(ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> content)
    {
        content = default;
        if (payload.Length < DatagramFormat.InnerHeaderSize) return Broken();
        byte kind = payload[0];
        if (kind == DatagramFormat.KindHandshake)
        {
            content = payload[DatagramFormat.InnerHeaderSize..];
            return UnpackResult.Handshake;
        }
        if (kind != DatagramFormat.KindRecords && kind != DatagramFormat.KindFragment) return Broken();
        CountSequence(BinaryPrimitives.ReadUInt32BigEndian(payload[1..]));
        if (kind == DatagramFormat.KindRecords)
        {
            content = payload[DatagramFormat.InnerHeaderSize..];
            return content.IsEmpty ? UnpackResult.Nothing : UnpackResult.Records;
        }
        if (payload.Length <= DatagramFormat.FragmentHeaderSize) return Broken();
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(payload[5..]);
        int index = payload[7], count = payload[8];
        var piece = payload[DatagramFormat.FragmentHeaderSize..];
        if (count < 2 || index >= count) return Broken();
        if (index == 0)
        {
            if (_nextIndex >= 0) LoseRecord(); // the previous record never completed
            _messageId = id;
            _count = count;
            _assembled = 0;
            _nextIndex = 0;
        }
        else if (_nextIndex < 0 || id != _messageId || index != _nextIndex || count != _count)
        {
            // A fragment out of order or of a record whose start was lost: that record is gone.
            if (_nextIndex >= 0) LoseRecord();
            return UnpackResult.Nothing;
        }
        var assembly = _assembly ??= new byte[WireCodec.MaxRecordSize];
        if (_assembled + piece.Length > assembly.Length)
        {
            _nextIndex = -1;
            return Broken();
        }
        piece.CopyTo(assembly.AsSpan(_assembled));
        _assembled += piece.Length;
        if (++_nextIndex < _count) return UnpackResult.Nothing;
        _nextIndex = -1;
        content = assembly.AsSpan(0, _assembled);
        return UnpackResult.Records;
    }

    private void CountSequence(uint sequence)
    {
        if (!_seenAny)
        {
            _seenAny = true;
            _lastSequence = sequence;
            return;
        }
        int gap = (int)(sequence - _lastSequence); // wraps correctly
        if (gap > 0)
        {
            if (gap > 1) Count(gap - 1);
            _lastSequence = sequence;
        }
        else if (Lost > 0)
        {
            // Late, not lost: UDP reordered it, and it is delivered as it comes.
            Late++;
            Count(-1);
        }
    }

    private void Count(long lost)
    {
        Lost += lost;
        Counters?.Drop(DropReason.Lost, lost);
    }

    private void LoseRecord()
    {
        _nextIndex = -1;
        Counters?.Drop(DropReason.Lost);
    }

    private UnpackResult Broken()
    {
        Counters?.Drop(DropReason.Unauthenticated);
        return UnpackResult.Nothing;
    }
}
