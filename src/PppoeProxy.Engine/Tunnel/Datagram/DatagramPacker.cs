using System.Buffers.Binary;
using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>
/// Sending side of the UDP transport: takes the link's v1 record stream (which may end in the middle
/// of a record: the ring hands its bytes in two pieces when it wraps) and packs whole records into
/// datagram payloads of at most <c>maxPayload</c> bytes, splitting a record that does not fit one
/// datagram into fragments. One owner at a time (the link's sender guarantees it); no allocation
/// after construction.
/// </summary>
internal sealed class DatagramPacker
{
    private readonly int _maxPayload;
    private readonly PayloadSink _emit;
    private readonly byte[] _pack;
    private readonly byte[] _partial = new byte[WireCodec.MaxRecordSize];
    private int _packed;   // bytes in _pack after the inner header; 0: nothing pending
    private int _partialLength;
    private uint _sequence;
    private ushort _messageId;

    /// <param name="maxPayload">Inner payload bytes one datagram may carry (after DTLS overhead).</param>
    /// <param name="emit">Sends one inner payload as one datagram.</param>
    public DatagramPacker(int maxPayload, PayloadSink emit)
    {
        if (maxPayload < DatagramFormat.FragmentHeaderSize + 64) throw new ArgumentOutOfRangeException(nameof(maxPayload));
        _maxPayload = maxPayload;
        _emit = emit;
        _pack = new byte[maxPayload];
    }

    public int MaxPayload => _maxPayload;
    /// <summary>Datagrams emitted (records and fragments), for tests and stats.</summary>
    public long Datagrams { get; private set; }

    /// <summary>Adds encoded records; whole ones are packed, a trailing partial one waits for the rest.</summary>
    public void Write(ReadOnlySpan<byte> records)
    {
        while (!records.IsEmpty)
        {
            if (_partialLength > 0 || records.Length < WireCodec.RecordHeaderSize)
            {
                // Complete the header first, then the record, in the partial buffer.
                int need = (_partialLength < WireCodec.RecordHeaderSize ? WireCodec.RecordHeaderSize : RecordLength(_partial)) - _partialLength;
                int take = Math.Min(need, records.Length);
                records[..take].CopyTo(_partial.AsSpan(_partialLength));
                _partialLength += take;
                records = records[take..];
                if (_partialLength >= WireCodec.RecordHeaderSize && _partialLength == RecordLength(_partial))
                {
                    Add(_partial.AsSpan(0, _partialLength));
                    _partialLength = 0;
                }
                continue;
            }
            int length = RecordLength(records);
            if (length > records.Length)
            {
                records.CopyTo(_partial);
                _partialLength = records.Length;
                return;
            }
            Add(records[..length]);
            records = records[length..];
        }
    }

    /// <summary>Sends what is packed (one datagram), if anything.</summary>
    public void Flush()
    {
        if (_packed == 0) return;
        _pack[0] = DatagramFormat.KindRecords;
        BinaryPrimitives.WriteUInt32BigEndian(_pack.AsSpan(1), ++_sequence);
        var payload = _pack.AsSpan(0, DatagramFormat.InnerHeaderSize + _packed);
        _packed = 0;
        Datagrams++;
        _emit(payload);
    }

    private static int RecordLength(ReadOnlySpan<byte> header) =>
        WireCodec.RecordHeaderSize + BinaryPrimitives.ReadUInt16BigEndian(header[2..]);

    private void Add(ReadOnlySpan<byte> record)
    {
        int room = _maxPayload - DatagramFormat.InnerHeaderSize;
        if (record.Length > room)
        {
            Flush();
            Fragment(record);
            return;
        }
        if (_packed + record.Length > room) Flush();
        record.CopyTo(_pack.AsSpan(DatagramFormat.InnerHeaderSize + _packed));
        _packed += record.Length;
    }

    private void Fragment(ReadOnlySpan<byte> record)
    {
        int chunk = _maxPayload - DatagramFormat.FragmentHeaderSize;
        int count = (record.Length + chunk - 1) / chunk;
        ushort id = ++_messageId;
        for (int index = 0; index < count; index++)
        {
            var piece = record.Slice(index * chunk, Math.Min(chunk, record.Length - index * chunk));
            _pack[0] = DatagramFormat.KindFragment;
            BinaryPrimitives.WriteUInt32BigEndian(_pack.AsSpan(1), ++_sequence);
            BinaryPrimitives.WriteUInt16BigEndian(_pack.AsSpan(5), id);
            _pack[7] = (byte)index;
            _pack[8] = (byte)count;
            piece.CopyTo(_pack.AsSpan(DatagramFormat.FragmentHeaderSize));
            Datagrams++;
            _emit(_pack.AsSpan(0, DatagramFormat.FragmentHeaderSize + piece.Length));
        }
    }

    /// <summary>A handshake message (hello or reply) as one payload; outside the record sequence.</summary>
    public static int WriteHandshake(Span<byte> destination, ReadOnlySpan<byte> message)
    {
        destination[0] = DatagramFormat.KindHandshake;
        destination[1..DatagramFormat.InnerHeaderSize].Clear();
        message.CopyTo(destination[DatagramFormat.InnerHeaderSize..]);
        return DatagramFormat.InnerHeaderSize + message.Length;
    }
}
