using System.Buffers.Binary;
using PppoeProxy.Engine.Tunnel.Wire;

namespace PppoeProxy.Engine.Tunnel.Datagram;

/// <summary>
/// Sending side of the UDP transport: takes the link's v1 record stream (which may end in the middle
/// of a record: the ring hands its bytes in two pieces when it wraps) and packs whole records into
/// datagram payloads of at most <c>maxPayload</c> bytes. A record that does not fit the rest of a
/// datagram continues in the next one (kind 3, a slice of the stream): full-size frames under load
/// take ~1.1 datagrams each instead of two, which halves the DTLS records, syscalls and packets per
/// frame (the UDP transport's cost at 1514 B). A datagram that holds whole records only goes as
/// kind 0. One owner at a time (the link's sender guarantees it); no allocation after construction.
/// </summary>
internal sealed class DatagramPacker
{
    // A record that does not fit starts in the next datagram when less than this is left here: a loss
    // of either datagram would cost it, for a few bytes saved.
    private const int MinSpanStart = 64;

    private readonly int _maxPayload;
    private readonly PayloadSink _emit;
    private readonly byte[] _pack; // [0, SpanHeaderSize): the header, written when sent; then the data
    private readonly byte[] _partial = new byte[WireCodec.MaxRecordSize];
    private int _packed;   // data bytes in _pack; 0: nothing pending
    private int _firstStart = -1; // data offset of the first record that starts in this datagram; -1: none yet
    private bool _continues; // the data begins inside a record the previous datagram started
    private int _partialLength;
    private uint _sequence;

    /// <param name="maxPayload">Inner payload bytes one datagram may carry (after DTLS overhead).</param>
    /// <param name="emit">Sends one inner payload as one datagram.</param>
    public DatagramPacker(int maxPayload, PayloadSink emit)
    {
        if (maxPayload < DatagramFormat.SpanHeaderSize + MinSpanStart) throw new ArgumentOutOfRangeException(nameof(maxPayload));
        _maxPayload = maxPayload;
        _emit = emit;
        _pack = new byte[maxPayload];
    }

    public int MaxPayload => _maxPayload;
    /// <summary>Datagrams emitted, for tests and stats.</summary>
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

    /// <summary>Sends what is packed (one datagram), if anything. It ends on a record's end: records are added whole.</summary>
    public void Flush() => Emit(endsAtRecord: true);

    private static int RecordLength(ReadOnlySpan<byte> header) =>
        WireCodec.RecordHeaderSize + BinaryPrimitives.ReadUInt16BigEndian(header[2..]);

    private void Add(ReadOnlySpan<byte> record)
    {
        int room = _maxPayload - DatagramFormat.SpanHeaderSize;
        if (_packed + record.Length > room && room - _packed < MinSpanStart) Flush();
        if (_firstStart < 0) _firstStart = _packed;
        while (true)
        {
            int take = Math.Min(room - _packed, record.Length);
            record[..take].CopyTo(_pack.AsSpan(DatagramFormat.SpanHeaderSize + _packed));
            _packed += take;
            record = record[take..];
            if (record.IsEmpty) return;
            Emit(endsAtRecord: false);
            _continues = true;
        }
    }

    private void Emit(bool endsAtRecord)
    {
        if (_packed == 0) return;
        int start;
        if (!_continues && endsAtRecord)
        {
            // Whole records only: kind 0, its shorter header just before the data.
            start = DatagramFormat.SpanHeaderSize - DatagramFormat.InnerHeaderSize;
            _pack[start] = DatagramFormat.KindRecords;
        }
        else
        {
            start = 0;
            _pack[0] = DatagramFormat.KindSpan;
            BinaryPrimitives.WriteUInt16BigEndian(_pack.AsSpan(5), _firstStart < 0 ? DatagramFormat.NoRecordStart : (ushort)_firstStart);
        }
        BinaryPrimitives.WriteUInt32BigEndian(_pack.AsSpan(start + 1), ++_sequence);
        var payload = _pack.AsSpan(start, DatagramFormat.SpanHeaderSize - start + _packed);
        _packed = 0;
        _firstStart = -1;
        _continues = false;
        Datagrams++;
        _emit(payload);
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
