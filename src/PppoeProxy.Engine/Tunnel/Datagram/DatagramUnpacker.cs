using System.Buffers.Binary;
using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>
/// Receiving side of the UDP transport: unwraps payloads in arrival order, rejoins records split
/// across datagrams (kind 3 slices, or kind 1 fragments of older senders; in order only: a gap drops
/// that frame) and counts the peer's datagrams that never came from the gaps in its sequence.
/// Nothing is held back to reorder. One thread (the link's reader).
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
    private byte[]? _span;   // kind 3: the record begun in earlier datagrams (allocated by the first one)
    private int _spanLength; // its bytes so far; 0: none pending
    private byte[]? _joined; // kind 3: that record completed, then the whole ones after it, handed out together

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
        if (kind != DatagramFormat.KindRecords && kind != DatagramFormat.KindFragment && kind != DatagramFormat.KindSpan) return Broken();
        if (kind == DatagramFormat.KindSpan && payload.Length < DatagramFormat.SpanHeaderSize) return Broken();
        var order = CountSequence(BinaryPrimitives.ReadUInt32BigEndian(payload[1..]));
        // A record begun earlier continues only in the very next datagram; after a gap it is lost.
        // A record begun in a lost datagram is counted with that datagram, not again here.
        if (_spanLength > 0 && (order == Order.Gap || (order == Order.Next && kind != DatagramFormat.KindSpan)))
        {
            _spanLength = 0;
            Counters?.Drop(DropReason.Lost);
        }
        if (kind == DatagramFormat.KindSpan) return AcceptSpan(payload, order, out content);
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

    private UnpackResult AcceptSpan(ReadOnlySpan<byte> payload, Order order, out ReadOnlySpan<byte> content)
    {
        content = default;
        var data = payload[DatagramFormat.SpanHeaderSize..];
        int first = BinaryPrimitives.ReadUInt16BigEndian(payload[5..]);
        if (first == DatagramFormat.NoRecordStart) first = data.Length;
        else if (first > data.Length) return Broken();
        int completed = 0;
        if (order == Order.Next && _spanLength > 0)
        {
            // The bytes before the first record start finish (or continue) the pending record.
            if (!Continue(data[..first], endsThere: first < data.Length))
            {
                _spanLength = 0;
                Counters?.Drop(DropReason.Lost);
            }
            else if (_spanLength >= WireCodec.RecordHeaderSize && _spanLength == RecordLength(_span))
            {
                // Out of the way before this datagram's own last record takes its place.
                _span.AsSpan(0, _spanLength).CopyTo(_joined ??= new byte[WireCodec.MaxRecordSize + DatagramFormat.MaxReceiveDatagram]);
                completed = _spanLength;
                _spanLength = 0;
            }
        }
        // Whole records from the first start; the last may go on in the next datagram. A late datagram
        // gives its whole records only: what is pending now is not its business.
        int end = first;
        while (end < data.Length && data.Length - end >= WireCodec.RecordHeaderSize && end + RecordLength(data[end..]) <= data.Length)
            end += RecordLength(data[end..]);
        // A late datagram's last record went on in one already handled, which could not finish it.
        if (order == Order.Late && end < data.Length) Counters?.Drop(DropReason.Lost);
        else if (end < data.Length)
        {
            data[end..].CopyTo(_span ??= new byte[WireCodec.MaxRecordSize]);
            _spanLength = data.Length - end;
        }
        var whole = data[first..end];
        if (completed == 0)
        {
            content = whole;
            return whole.IsEmpty ? UnpackResult.Nothing : UnpackResult.Records;
        }
        whole.CopyTo(_joined.AsSpan(completed));
        content = _joined.AsSpan(0, completed + whole.Length);
        return UnpackResult.Records;
    }

    // Appends the next bytes of the pending record; false when they do not fit what its header says
    // (or another record starts before it is complete): a broken stream, that record is dropped.
    private bool Continue(ReadOnlySpan<byte> head, bool endsThere)
    {
        var span = _span!;
        if (_spanLength < WireCodec.RecordHeaderSize)
        {
            int take = Math.Min(WireCodec.RecordHeaderSize - _spanLength, head.Length);
            head[..take].CopyTo(span.AsSpan(_spanLength));
            _spanLength += take;
            head = head[take..];
            if (_spanLength < WireCodec.RecordHeaderSize) return !endsThere;
        }
        int length = RecordLength(span);
        int need = length - _spanLength;
        if (length > span.Length || head.Length > need || (endsThere && head.Length != need)) return false;
        head.CopyTo(span.AsSpan(_spanLength));
        _spanLength += head.Length;
        return true;
    }

    private static int RecordLength(ReadOnlySpan<byte> header) =>
        WireCodec.RecordHeaderSize + BinaryPrimitives.ReadUInt16BigEndian(header[2..]);

    private enum Order { First, Next, Gap, Late }

    private Order CountSequence(uint sequence)
    {
        if (!_seenAny)
        {
            _seenAny = true;
            _lastSequence = sequence;
            return Order.First;
        }
        int gap = (int)(sequence - _lastSequence); // wraps correctly
        if (gap > 0)
        {
            if (gap > 1) Count(gap - 1);
            _lastSequence = sequence;
            return gap == 1 ? Order.Next : Order.Gap;
        }
        if (Lost > 0)
        {
            // Late, not lost: UDP reordered it, and it is delivered as it comes.
            Late++;
            Count(-1);
        }
        return Order.Late;
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
