using System.Buffers.Binary;

namespace PppoeProxy.Engine.Capture;

/// <summary>
/// Writes classic pcap (little-endian, microsecond timestamps, Ethernet, snap length 65535), the
/// format every tool reads. Frames longer than the snap length are cut, keeping the original length.
/// </summary>
public sealed class PcapFileWriter : IDisposable
{
    public const int SnapLength = 65535;
    private const uint PcapMicroMagic = 0xa1b2c3d4;
    private const uint LinkTypeEthernet = 1;

    private readonly Stream _stream;
    private readonly string _path;

    public long FramesWritten { get; private set; }

    private PcapFileWriter(Stream stream, string path)
    {
        _stream = stream;
        _path = path;
    }

    /// <summary>Creates (or overwrites) <paramref name="path"/> and writes the file header.</summary>
    /// <exception cref="CaptureException">The file can't be created (FileNotFound for a missing directory, PermissionDenied, Other).</exception>
    public static PcapFileWriter Create(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new CaptureException(CaptureErrorKind.FileNotFound, $"cannot create {path}: directory does not exist", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CaptureException(CaptureErrorKind.PermissionDenied, $"permission denied creating {path}", e);
        }
        catch (Exception e) when (e is IOException or ArgumentException or NotSupportedException)
        {
            throw new CaptureException(CaptureErrorKind.Other, $"cannot create {path}: {e.Message}", e);
        }

        var writer = new PcapFileWriter(stream, path);
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, PcapMicroMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);  // version 2.4
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], 0);   // thiszone: timestamps are UTC
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0); // sigfigs
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], SnapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], LinkTypeEthernet);
        try
        {
            writer.WriteBytes(header);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        return writer;
    }

    /// <summary>Appends one Ethernet frame stamped with microseconds since the Unix epoch.</summary>
    public void Write(ReadOnlySpan<byte> frame, long timestampUnixMicros) => Write(frame, timestampUnixMicros, frame.Length);

    /// <summary>Appends a captured frame, keeping its timestamp and original length.</summary>
    public void Write(in CapturedFrame frame) => Write(frame.Data, frame.TimestampUnixMicros, Math.Max(frame.OriginalLength, frame.Data.Length));

    private void Write(ReadOnlySpan<byte> frame, long timestampUnixMicros, int originalLength)
    {
        // Classic pcap stores unsigned 32-bit seconds: 1970 .. 2106.
        if (timestampUnixMicros < 0 || timestampUnixMicros / 1_000_000 > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(timestampUnixMicros), timestampUnixMicros, "timestamp must be between 1970 and 2106");
        var data = frame.Length > SnapLength ? frame[..SnapLength] : frame;
        Span<byte> header = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)(timestampUnixMicros / 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)(timestampUnixMicros % 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)originalLength);
        WriteBytes(header);
        WriteBytes(data);
        FramesWritten++;
    }

    /// <summary>Pushes buffered frames to the file, e.g. so a concurrently running tshark sees them.</summary>
    public void Flush()
    {
        try
        {
            _stream.Flush();
        }
        catch (IOException e)
        {
            throw new CaptureException(CaptureErrorKind.Other, $"writing {_path} failed: {e.Message}", e);
        }
    }

    public void Dispose() => _stream.Dispose();

    private void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        try
        {
            _stream.Write(bytes);
        }
        catch (IOException e) // disk full and friends: one line, naming the file
        {
            throw new CaptureException(CaptureErrorKind.Other, $"writing {_path} failed: {e.Message}", e);
        }
    }
}
