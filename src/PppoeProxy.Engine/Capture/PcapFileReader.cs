using System.Buffers.Binary;

namespace PppoeProxy.Engine.Capture;

/// <summary>
/// Reads Ethernet frames from classic pcap and pcapng files, either byte order, without libpcap.
/// Every problem with the file (corrupt, truncated, not Ethernet) surfaces as a one-line
/// CaptureException(BadFile) naming the file and byte offset, never as an index or IO exception.
/// </summary>
public sealed class PcapFileReader : IDisposable
{
    private const uint PcapMicroMagic = 0xa1b2c3d4;
    private const uint PcapNanoMagic = 0xa1b23c4d;
    private const uint SectionHeaderBlock = 0x0a0d0d0a;
    private const uint ByteOrderMagic = 0x1a2b3c4d;
    private const uint InterfaceDescriptionBlock = 1;
    private const uint SimplePacketBlock = 3;
    private const uint EnhancedPacketBlock = 6;
    private const ushort LinkTypeEthernet = 1;
    private const int MaxRecordBytes = 256 * 1024;       // libpcap's own ceiling on snap length
    private const int MaxBlockBytes = 16 * 1024 * 1024;  // blocks we must hold in memory (packets, interfaces)

    private readonly Stream _stream;
    private readonly string _name;
    private byte[] _buffer = new byte[64 * 1024];
    private bool _bigEndian;
    private bool _nanosecondPcap;
    // pcapng interfaces of the current section; packets refer to them by index.
    private readonly List<PcapNgInterface> _interfaces = new();

    public CaptureFileFormat Format { get; }

    /// <summary>Byte offset of the next record, for progress reporting against <see cref="Length"/>.</summary>
    public long Position => _stream.Position;

    public long Length => _stream.Length;

    private PcapFileReader(Stream stream, string name, uint magic)
    {
        _stream = stream;
        _name = name;
        Format = magic == SectionHeaderBlock ? CaptureFileFormat.PcapNg : CaptureFileFormat.Pcap;
    }

    /// <exception cref="CaptureException">FileNotFound, PermissionDenied, or BadFile (not a readable Ethernet capture).</exception>
    public static PcapFileReader Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream stream;
        // Opening a directory is EACCES on Linux: "permission denied" would send the user chasing modes.
        if (Directory.Exists(path)) throw new CaptureException(CaptureErrorKind.BadFile, $"{path} is a directory, not a capture file");
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CaptureException(CaptureErrorKind.FileNotFound, $"capture file not found: {path}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CaptureException(CaptureErrorKind.PermissionDenied, $"permission denied reading {path}", e);
        }
        catch (Exception e) when (e is IOException or ArgumentException or NotSupportedException)
        {
            throw new CaptureException(CaptureErrorKind.BadFile, $"cannot open {path}: {e.Message}", e);
        }

        var name = Path.GetFileName(path);
        try
        {
            Span<byte> magicBytes = stackalloc byte[4];
            int got = stream.ReadAtLeast(magicBytes, 4, throwOnEndOfStream: false);
            if (got == 0) throw new CaptureException(CaptureErrorKind.BadFile, $"{name}: file is empty");
            if (got < 4) throw new CaptureException(CaptureErrorKind.BadFile, $"{name}: truncated file header");
            uint magic = BinaryPrimitives.ReadUInt32LittleEndian(magicBytes);
            var reader = new PcapFileReader(stream, name, magic == SectionHeaderBlock ? magic : 0);
            if (reader.Format == CaptureFileFormat.PcapNg) reader.ReadPcapNgPreamble();
            else reader.ReadPcapHeader(magic);
            return reader;
        }
        catch (IOException e)
        {
            stream.Dispose();
            throw new CaptureException(CaptureErrorKind.BadFile, $"{name}: read failed: {e.Message}", e);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the next frame into an internal buffer (valid until the next call). Returns false at a
    /// clean end of file.
    /// </summary>
    /// <exception cref="CaptureException">BadFile: truncated or corrupt record.</exception>
    public bool TryRead(out CapturedFrame frame)
    {
        try
        {
            return Format == CaptureFileFormat.Pcap ? TryReadPcapRecord(out frame) : TryReadPcapNgPacket(out frame);
        }
        catch (IOException e)
        {
            throw new CaptureException(CaptureErrorKind.BadFile, $"{_name}: read failed at byte {Position}: {e.Message}", e);
        }
    }

    public void Dispose() => _stream.Dispose();

    // ---- classic pcap ----

    private void ReadPcapHeader(uint littleEndianMagic)
    {
        switch (littleEndianMagic)
        {
            case PcapMicroMagic: break;
            case PcapNanoMagic: _nanosecondPcap = true; break;
            default:
                uint swapped = BinaryPrimitives.ReverseEndianness(littleEndianMagic);
                if (swapped == PcapMicroMagic) _bigEndian = true;
                else if (swapped == PcapNanoMagic) _bigEndian = _nanosecondPcap = true;
                else throw Bad($"not a pcap or pcapng file (magic 0x{littleEndianMagic:x8})");
                break;
        }

        Span<byte> header = stackalloc byte[20]; // the 24-byte file header minus the magic
        ReadExactly(header, 0);
        ushort major = U16(header);
        if (major != 2) throw Bad($"unsupported pcap version {major}.{U16(header[2..])}");
        uint linkType = U32(header[16..]) & 0xffff; // upper bits carry FCS information, not the type
        if (linkType != LinkTypeEthernet) throw NotEthernet(linkType);
    }

    private bool TryReadPcapRecord(out CapturedFrame frame)
    {
        frame = default;
        long start = _stream.Position;
        Span<byte> header = stackalloc byte[16];
        if (!ReadExactlyOrEnd(header, start)) return false;
        uint seconds = U32(header), fraction = U32(header[4..]), captured = U32(header[8..]), original = U32(header[12..]);
        if (captured > MaxRecordBytes) throw Bad($"corrupt record at byte {start}: captured length {captured} is too large");
        var data = EnsureBuffer((int)captured).AsSpan(0, (int)captured);
        ReadExactly(data, start);
        long micros = seconds * 1_000_000L + (_nanosecondPcap ? fraction / 1000 : fraction);
        frame = new CapturedFrame(data, micros, (int)Math.Min(original, int.MaxValue));
        return true;
    }

    // ---- pcapng ----

    private readonly record struct PcapNgInterface(uint SnapLength, bool BinaryResolution, int ResolutionExponent, long OffsetSeconds)
    {
        public long ToUnixMicros(ulong units)
        {
            long micros;
            if (BinaryResolution) micros = (long)(((UInt128)units * 1_000_000) >> ResolutionExponent);
            else if (ResolutionExponent >= 6) micros = (long)(units / Pow10(ResolutionExponent - 6));
            else micros = unchecked((long)(units * Pow10(6 - ResolutionExponent)));
            return micros + OffsetSeconds * 1_000_000L;
        }

        private static ulong Pow10(int exponent)
        {
            ulong value = 1;
            for (int i = 0; i < exponent; i++) value *= 10;
            return value;
        }
    }

    // Reads the section header and the interface blocks before the first packet, so a non-Ethernet
    // capture fails at Open rather than midway; then rewinds to that first packet.
    private void ReadPcapNgPreamble()
    {
        _stream.Position = 0;
        while (true)
        {
            long start = _stream.Position;
            if (!TryReadBlock(out uint type, out int bodyLength, start)) return;
            if (type is EnhancedPacketBlock or SimplePacketBlock)
            {
                _stream.Position = start;
                return;
            }
            if (start == 0 && type != SectionHeaderBlock) throw Bad("pcapng file does not start with a section header");
            ProcessNonPacketBlock(type, bodyLength, start);
        }
    }

    private bool TryReadPcapNgPacket(out CapturedFrame frame)
    {
        frame = default;
        while (true)
        {
            long start = _stream.Position;
            if (!TryReadBlock(out uint type, out int bodyLength, start)) return false;
            var body = _buffer.AsSpan(0, bodyLength);
            if (type == EnhancedPacketBlock)
            {
                if (bodyLength < 20) throw Bad($"corrupt packet block at byte {start}: too short");
                var iface = InterfaceAt(U32(body), start);
                ulong units = ((ulong)U32(body[4..]) << 32) | U32(body[8..]);
                uint captured = U32(body[12..]), original = U32(body[16..]);
                if (captured > (uint)(bodyLength - 20))
                    throw Bad($"corrupt packet block at byte {start}: captured length {captured} exceeds the block");
                frame = new CapturedFrame(body.Slice(20, (int)captured), iface.ToUnixMicros(units), (int)Math.Min(original, int.MaxValue));
                return true;
            }
            if (type == SimplePacketBlock)
            {
                if (bodyLength < 4) throw Bad($"corrupt packet block at byte {start}: too short");
                var iface = InterfaceAt(0, start);
                uint original = U32(body);
                // A simple packet block has no captured length: it is the original length cut at the snap length.
                long captured = Math.Min(original, bodyLength - 4);
                if (iface.SnapLength != 0) captured = Math.Min(captured, iface.SnapLength);
                frame = new CapturedFrame(body.Slice(4, (int)captured), 0, (int)Math.Min(original, int.MaxValue));
                return true;
            }
            ProcessNonPacketBlock(type, bodyLength, start);
        }
    }

    private PcapNgInterface InterfaceAt(uint index, long blockStart) =>
        index < (uint)_interfaces.Count ? _interfaces[(int)index]
            : throw Bad($"corrupt packet block at byte {blockStart}: interface {index} was never described");

    private void ProcessNonPacketBlock(uint type, int bodyLength, long start)
    {
        if (type == SectionHeaderBlock) _interfaces.Clear(); // interface numbering restarts per section
        else if (type == InterfaceDescriptionBlock) _interfaces.Add(ParseInterface(_buffer.AsSpan(0, bodyLength), start));
        // Every other block type (statistics, name resolution, custom, ...) is irrelevant to frames.
    }

    private PcapNgInterface ParseInterface(ReadOnlySpan<byte> body, long start)
    {
        if (body.Length < 8) throw Bad($"corrupt interface block at byte {start}: too short");
        ushort linkType = U16(body);
        if (linkType != LinkTypeEthernet) throw NotEthernet(linkType);
        bool binary = false;
        int exponent = 6; // default resolution: microseconds
        long offsetSeconds = 0;
        int at = 8;
        while (at + 4 <= body.Length)
        {
            ushort code = U16(body[at..]), length = U16(body[(at + 2)..]);
            if (code == 0) break; // opt_endofopt
            if (at + 4 + length > body.Length) throw Bad($"corrupt interface block at byte {start}: option overruns the block");
            var value = body.Slice(at + 4, length);
            if (code == 9 && length >= 1) // if_tsresol
            {
                binary = (value[0] & 0x80) != 0;
                exponent = value[0] & 0x7f;
                if ((binary && exponent > 63) || (!binary && exponent > 19))
                    throw Bad($"unsupported timestamp resolution 0x{value[0]:x2} in interface block at byte {start}");
            }
            else if (code == 14 && length == 8) // if_tsoffset, seconds
            {
                offsetSeconds = _bigEndian ? BinaryPrimitives.ReadInt64BigEndian(value) : BinaryPrimitives.ReadInt64LittleEndian(value);
            }
            at += 4 + ((length + 3) & ~3);
        }
        return new PcapNgInterface(U32(body[4..]), binary, exponent, offsetSeconds);
    }

    /// <summary>
    /// Reads one block's header. Blocks we interpret have their body (between the length fields) read
    /// into _buffer; others are skipped. Either way the trailing length is checked against the leading one.
    /// For a section header, the body starts after the byte-order magic, which sets the byte order.
    /// </summary>
    private bool TryReadBlock(out uint type, out int bodyLength, long start)
    {
        bodyLength = 0;
        Span<byte> header = stackalloc byte[12];
        if (!ReadExactlyOrEnd(header[..8], start)) { type = 0; return false; }
        type = BinaryPrimitives.ReadUInt32LittleEndian(header); // SHB's type is a palindrome; others follow below
        int fixedLength = 8;
        if (type == SectionHeaderBlock)
        {
            ReadExactly(header[8..12], start);
            uint bom = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
            if (bom == ByteOrderMagic) _bigEndian = false;
            else if (bom == BinaryPrimitives.ReverseEndianness(ByteOrderMagic)) _bigEndian = true;
            else throw Bad($"corrupt section header at byte {start}: bad byte-order magic 0x{bom:x8}");
            fixedLength = 12;
        }
        else
        {
            type = U32(header);
        }

        uint total = U32(header[4..]);
        if (total < fixedLength + 4 || total % 4 != 0 || total > int.MaxValue)
            throw Bad($"corrupt block at byte {start}: invalid block length {total}");
        bodyLength = (int)total - fixedLength - 4;

        bool interpreted = type is SectionHeaderBlock or InterfaceDescriptionBlock or EnhancedPacketBlock or SimplePacketBlock;
        if (interpreted)
        {
            if (bodyLength > MaxBlockBytes) throw Bad($"corrupt block at byte {start}: block length {total} is too large");
            ReadExactly(EnsureBuffer(bodyLength).AsSpan(0, bodyLength), start);
        }
        else
        {
            if (start + total > _stream.Length) throw Truncated(start);
            _stream.Position = start + total - 4;
        }

        Span<byte> trailer = header[..4];
        ReadExactly(trailer, start);
        if (U32(trailer) != total) throw Bad($"corrupt block at byte {start}: trailing length does not match");
        return true;
    }

    // ---- shared helpers ----

    private byte[] EnsureBuffer(int length)
    {
        if (_buffer.Length < length) _buffer = new byte[Math.Max(length, _buffer.Length * 2)]; // rare: only grows
        return _buffer;
    }

    private bool ReadExactlyOrEnd(Span<byte> destination, long recordStart)
    {
        int got = _stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        if (got == 0) return false;
        if (got < destination.Length) throw Truncated(recordStart);
        return true;
    }

    private void ReadExactly(Span<byte> destination, long recordStart)
    {
        if (_stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false) < destination.Length)
            throw Truncated(recordStart);
    }

    private ushort U16(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes);

    private uint U32(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);

    private CaptureException Truncated(long recordStart) => Bad($"truncated record at byte {recordStart}");

    private CaptureException NotEthernet(uint linkType) =>
        Bad($"link type {linkType} is not Ethernet (only Ethernet captures are supported)");

    private CaptureException Bad(string reason) => new(CaptureErrorKind.BadFile, $"{_name}: {reason}");
}
