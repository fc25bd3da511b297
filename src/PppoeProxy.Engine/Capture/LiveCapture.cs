using System.Runtime.InteropServices;
using System.Text;

namespace PppoeProxy.Engine.Capture;

/// <summary>
/// A libpcap handle on one Linux interface: read frames (filtered in the kernel) and inject frames.
/// Intended pattern: one thread loops <c>while (!ct.IsCancellationRequested) if (cap.TryRead(out var f)) ...</c>;
/// TryRead returns within <see cref="CaptureOptions.ReadTimeoutMs"/> when idle. <see cref="Inject"/> may be
/// called from another thread (on Linux it is a plain send on the socket). Dispose may be called from any
/// thread while the reader is inside TryRead: a doorbell wakes the reader at once, and Dispose waits for
/// it to leave libpcap before closing the handle; later calls throw <see cref="ObjectDisposedException"/>.
/// </summary>
public sealed unsafe class LiveCapture : IDisposable
{
    // How long Dispose waits for a reader to leave libpcap. The reader wakes via pcap_breakloop or,
    // at worst, its read timeout; if it's still inside after this, leaking the handle beats a crash.
    private static readonly TimeSpan DisposeWaitLimit = TimeSpan.FromSeconds(5);
    // Without a doorbell (no eventfd), a waiting reader re-checks for Dispose at least this often.
    private const int PollSliceMs = 50;
    // Dispose rings it: the waiting reader sleeps until a frame, the bell or its read timeout, not in 50-ms slices.
    private readonly Doorbell? _bell = Doorbell.TryCreate();

    private nint _handle;
    private int _activeCalls;
    private int _closing;
    private readonly byte[] _frameBuffer;
    private readonly int _selectableFd;

    public string InterfaceName { get; }
    public CaptureOptions Options { get; }

    private LiveCapture(nint handle, string interfaceName, CaptureOptions options)
    {
        _handle = handle;
        _selectableFd = LibPcap.GetSelectableFd(handle);
        InterfaceName = interfaceName;
        Options = options;
        // Frames are copied out of libpcap's ring into this buffer so a span the caller still holds
        // never points into memory that pcap_close (Dispose on another thread) has unmapped.
        _frameBuffer = new byte[options.SnapLength];
    }

    ~LiveCapture() => CloseHandle();

    /// <summary>Opens <paramref name="interfaceName"/> for capture and injection.</summary>
    /// <exception cref="CaptureException">The interface is missing or down, permission is denied, libpcap is missing, or the filter is invalid.</exception>
    public static LiveCapture Open(string interfaceName, CaptureOptions? options = null)
    {
        options ??= CaptureOptions.ForSniffing;
        options.Validate();
        var handle = OpenHandle(interfaceName, options);
        return new LiveCapture(handle, interfaceName, options);
    }

    /// <summary>
    /// Opens a send-only handle (e.g. for the PADT sender). A filter that matches nothing keeps the
    /// kernel from queueing traffic nobody reads; errors are reported exactly as for <see cref="Open"/>.
    /// </summary>
    public static LiveCapture OpenForInjection(string interfaceName) => Open(interfaceName, new CaptureOptions
    {
        Promiscuous = false,
        Direction = CaptureDirection.InboundOnly,
        SnapLength = 64,
        BufferSizeBytes = 256 * 1024,
        Filter = "less 1",
    });

    /// <summary>
    /// Reads the next frame. Returns false when the read timeout passed without a frame (or Dispose is
    /// waking the reader), so the caller can check its CancellationToken. Not for concurrent readers.
    /// </summary>
    /// <exception cref="CaptureException">The capture failed, e.g. the interface went down or was deleted.</exception>
    public bool TryRead(out CapturedFrame frame)
    {
        frame = default;
        Enter();
        try
        {
            LibPcap.PacketHeader* header;
            byte* data;
            // The handle is non-blocking and we wait in our own poll(): libpcap 1.10's blocking read
            // retries internally after its timeout and would never return on an idle interface.
            int status = LibPcap.NextEx(_handle, &header, &data);
            if (status == 0 && WaitUntilReadable()) status = LibPcap.NextEx(_handle, &header, &data);
            if (status == 1)
            {
                int length = (int)Math.Min(header->CapturedLength, (uint)_frameBuffer.Length);
                new ReadOnlySpan<byte>(data, length).CopyTo(_frameBuffer);
                long micros = (long)header->TimestampSeconds * 1_000_000L + header->TimestampMicroseconds;
                frame = new CapturedFrame(new ReadOnlySpan<byte>(_frameBuffer, 0, length), micros, (int)header->OriginalLength);
                return true;
            }
            if (status == 0 || status == CaptureErrors.PcapErrorBreak) return false;
            throw CaptureErrors.AfterOpen(InterfaceName, "capture", LibPcap.ErrorText(_handle));
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Hands up to <paramref name="maxFrames"/> waiting frames to <paramref name="handler"/> straight from
    /// libpcap's ring, waiting at most the read timeout for the first; returns how many were handed over
    /// (0: timeout, or Dispose is waking the reader). Why not <see cref="TryRead"/>: pcap_next_ex copies
    /// each frame out of the ring (libpcap's one-shot buffer) and TryRead copies it again; at 1514 bytes
    /// those copies were a good part of the capture thread's time. The handler runs inside this call,
    /// so Dispose waits for it as for any reader. An exception from the handler stops the batch and is
    /// rethrown here. Not for concurrent readers.
    /// </summary>
    /// <exception cref="CaptureException">The capture failed, e.g. the interface went down or was deleted.</exception>
    public int Dispatch(CapturedFrameHandler handler, int maxFrames)
    {
        Enter();
        var previous = t_dispatching;
        t_dispatching = this;
        _handler = handler;
        _handled = 0;
        try
        {
            int status = LibPcap.Dispatch(_handle, maxFrames, &OnPacket, null);
            if (status == 0 && _failure is null && WaitUntilReadable()) status = LibPcap.Dispatch(_handle, maxFrames, &OnPacket, null);
            if (_failure is { } failure)
            {
                _failure = null;
                failure.Throw();
            }
            if (status >= 0 || status == CaptureErrors.PcapErrorBreak) return _handled;
            throw CaptureErrors.AfterOpen(InterfaceName, "capture", LibPcap.ErrorText(_handle));
        }
        finally
        {
            _handler = null;
            t_dispatching = previous;
            Exit();
        }
    }

    // The dispatching capture of this thread: libpcap's user pointer could carry it only as a GC handle.
    [ThreadStatic] private static LiveCapture? t_dispatching;
    private CapturedFrameHandler? _handler;
    private int _handled;
    private System.Runtime.ExceptionServices.ExceptionDispatchInfo? _failure;

    // Called by libpcap inside pcap_dispatch; an exception must not cross into native code.
    [UnmanagedCallersOnly]
    private static void OnPacket(byte* user, LibPcap.PacketHeader* header, byte* data)
    {
        var self = t_dispatching;
        if (self?._handler is not { } handler || self._failure is not null) return;
        try
        {
            long micros = (long)header->TimestampSeconds * 1_000_000L + header->TimestampMicroseconds;
            handler(new CapturedFrame(new ReadOnlySpan<byte>(data, (int)header->CapturedLength), micros, (int)header->OriginalLength));
            self._handled++;
        }
        catch (Exception error)
        {
            self._failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error);
            LibPcap.BreakLoop(self._handle);
        }
    }

    // True when the socket has data (or an error for pcap_next_ex to report) within the read timeout.
    private bool WaitUntilReadable()
    {
        if (_bell is { } bell)
        {
            long deadline = Environment.TickCount64 + Options.ReadTimeoutMs;
            while (Volatile.Read(ref _closing) == 0)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0) return false;
                if (bell.Wait(_selectableFd, (int)left)) return true; // ready, or a poll error that pcap_next_ex will explain
            }
            return false;
        }
        var pollFd = new LibPcap.PollFd { Fd = _selectableFd, Events = LibPcap.PollIn };
        for (int remaining = Options.ReadTimeoutMs; remaining > 0 && Volatile.Read(ref _closing) == 0; remaining -= PollSliceMs)
        {
            int ready = LibPcap.Poll(&pollFd, 1, Math.Min(remaining, PollSliceMs));
            if (ready != 0) return true; // ready, or a poll error that pcap_next_ex will explain
        }
        return false;
    }

    /// <summary>Sends one complete Ethernet frame (no FCS) out of the interface.</summary>
    /// <exception cref="CaptureException">The kernel refused the frame (text from pcap_geterr), or the interface is gone or down.</exception>
    public void Inject(ReadOnlySpan<byte> frame)
    {
        if (frame.IsEmpty) throw new ArgumentException("cannot inject an empty frame", nameof(frame));
        Enter();
        try
        {
            int sent;
            fixed (byte* bytes = frame) sent = LibPcap.Inject(_handle, bytes, (nuint)frame.Length);
            if (sent < 0) throw CaptureErrors.AfterOpen(InterfaceName, "inject", LibPcap.ErrorText(_handle));
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Sends every frame of <paramref name="batch"/> with sendmmsg on libpcap's socket (what pcap_inject does,
    /// one syscall for the lot) and empties it. Returns how many frames the kernel refused (e.g. ENOBUFS);
    /// the caller counts them as drops, as it would a failed <see cref="Inject(ReadOnlySpan{byte})"/>.
    /// </summary>
    public int Inject(FrameBatch batch)
    {
        if (batch.Count == 0) return 0;
        Enter();
        try
        {
            int done = 0, refused = 0;
            while (done + refused < batch.Count)
            {
                int sent = batch.Send(_selectableFd, done + refused);
                if (sent > 0) done += sent;
                else if (sent < 0 && Marshal.GetLastPInvokeError() == Errno.Interrupted) continue;
                else refused++; // skip the frame the kernel refused, keep sending the rest
            }
            return refused;
        }
        finally
        {
            batch.Clear();
            Exit();
        }
    }

    public CaptureStatistics GetStatistics()
    {
        Enter();
        try
        {
            LibPcap.Stat stat;
            if (LibPcap.Stats(_handle, &stat) != 0)
                throw CaptureErrors.AfterOpen(InterfaceName, "reading statistics", LibPcap.ErrorText(_handle));
            return new CaptureStatistics(stat.Received, stat.Dropped, stat.InterfaceDropped);
        }
        finally
        {
            Exit();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0) return;
        _bell?.Ring();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Volatile.Read(ref _activeCalls) != 0)
        {
            if (waited.Elapsed > DisposeWaitLimit)
            {
                GC.SuppressFinalize(this); // a caller is stuck inside libpcap: never free under it
                return;
            }
            Thread.Sleep(1);
        }
        CloseHandle();
        _bell?.Dispose();
        GC.SuppressFinalize(this);
    }

    public override string ToString() => $"LiveCapture({InterfaceName}, {Options.Direction})";

    // Interlocked increment-then-check pairs with Dispose's set-then-check of the counter, so either
    // the caller sees _closing, or Dispose sees the caller and waits for it. No lock, no allocation.
    private void Enter()
    {
        Interlocked.Increment(ref _activeCalls);
        if (Volatile.Read(ref _closing) != 0)
        {
            Interlocked.Decrement(ref _activeCalls);
            throw new ObjectDisposedException(ToString());
        }
    }

    private void Exit() => Interlocked.Decrement(ref _activeCalls);

    private void CloseHandle()
    {
        var handle = Interlocked.Exchange(ref _handle, 0);
        if (handle != 0) LibPcap.Close(handle);
    }

    private static nint OpenHandle(string iface, CaptureOptions options)
    {
        // Checked before libpcap so the message is ours and names the interface.
        if (!NetworkInterfaces.Exists(iface)) throw CaptureErrors.InterfaceNotFound(iface);
        if (!NetworkInterfaces.IsUp(iface)) throw CaptureErrors.InterfaceDown(iface);
        LibPcap.EnsureLoaded();

        byte* errbuf = stackalloc byte[LibPcap.ErrbufSize];
        errbuf[0] = 0;
        nint handle;
        fixed (byte* name = NullTerminated(iface)) handle = LibPcap.Create(name, errbuf);
        if (handle == 0)
            throw new CaptureException(CaptureErrorKind.Other, $"cannot capture on {iface}: {new string((sbyte*)errbuf)}");

        try
        {
            Configure(handle, iface, options);
            return handle;
        }
        catch
        {
            LibPcap.Close(handle);
            throw;
        }
    }

    private static void Configure(nint handle, string iface, CaptureOptions options)
    {
        CheckSetup(LibPcap.SetSnaplen(handle, options.SnapLength), handle, iface);
        CheckSetup(LibPcap.SetPromisc(handle, options.Promiscuous ? 1 : 0), handle, iface);
        CheckSetup(LibPcap.SetImmediateMode(handle, 1), handle, iface); // no batching latency: we relay frames
        CheckSetup(LibPcap.SetTimeout(handle, options.ReadTimeoutMs), handle, iface);
        CheckSetup(LibPcap.SetBufferSize(handle, options.BufferSizeBytes), handle, iface);

        int status = LibPcap.Activate(handle);
        if (status < 0) // positive values are warnings (e.g. promiscuous mode unsupported); carry on
        {
            var detail = status == CaptureErrors.PcapError ? LibPcap.ErrorText(handle) : JoinDetail(status, handle);
            throw CaptureErrors.FromStatus(status, iface, detail);
        }

        int direction = options.Direction == CaptureDirection.InboundOnly ? LibPcap.DirectionIn : LibPcap.DirectionInOut;
        if (LibPcap.SetDirection(handle, direction) != 0)
            throw new CaptureException(CaptureErrorKind.Other,
                $"cannot restrict capture direction on {iface}: {LibPcap.ErrorText(handle)}");

        if (options.Filter.Length > 0) ApplyFilter(handle, iface, options.Filter);

        byte* errbuf = stackalloc byte[LibPcap.ErrbufSize];
        errbuf[0] = 0;
        if (LibPcap.SetNonBlock(handle, 1, errbuf) != 0 || LibPcap.GetSelectableFd(handle) < 0)
            throw new CaptureException(CaptureErrorKind.Other, $"cannot make capture on {iface} non-blocking: {new string((sbyte*)errbuf)}");
    }

    private static void ApplyFilter(nint handle, string iface, string filter)
    {
        // Compiled on the live handle (not pcap_open_dead) so libpcap knows the link type.
        LibPcap.BpfProgram program;
        fixed (byte* text = NullTerminated(filter))
        {
            if (LibPcap.Compile(handle, &program, text, 1, LibPcap.NetmaskUnknown) != 0)
                throw new CaptureException(CaptureErrorKind.Other,
                    $"invalid capture filter '{filter}': {LibPcap.ErrorText(handle)}");
        }
        try
        {
            if (LibPcap.SetFilter(handle, &program) != 0)
                throw new CaptureException(CaptureErrorKind.Other,
                    $"cannot install capture filter on {iface}: {LibPcap.ErrorText(handle)}");
        }
        finally
        {
            LibPcap.FreeCode(&program);
        }
    }

    private static void CheckSetup(int status, nint handle, string iface)
    {
        if (status != 0) throw CaptureErrors.FromStatus(status, iface, JoinDetail(status, handle));
    }

    private static string JoinDetail(int status, nint handle)
    {
        var statusText = LibPcap.StatusText(status);
        var errorText = LibPcap.ErrorText(handle);
        return string.IsNullOrWhiteSpace(errorText) || errorText == statusText ? statusText : $"{statusText} ({errorText})";
    }

    private static byte[] NullTerminated(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}
