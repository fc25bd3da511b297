using System.Runtime.InteropServices;

namespace PppoeProxy.Engine.Capture;

/// <summary>
/// Minimal libpcap binding. Entry points are resolved once into unmanaged function pointers
/// rather than [DllImport] + NativeLibrary.SetDllImportResolver: a resolver can be set only once
/// per assembly, and other engine code may need its own, so we keep libpcap loading to ourselves.
/// This also lets us report a missing library as one clear CaptureException before the first call.
/// </summary>
internal static unsafe class LibPcap
{
    internal const int ErrbufSize = 256;           // PCAP_ERRBUF_SIZE
    internal const uint NetmaskUnknown = 0xffffffff; // PCAP_NETMASK_UNKNOWN
    internal const int DirectionInOut = 0;         // PCAP_D_INOUT
    internal const int DirectionIn = 1;            // PCAP_D_IN

    internal static readonly string[] DefaultLibraryNames = { "libpcap.so.0.8", "libpcap.so.1", "libpcap.so" };

    private static readonly object LoadGate = new();
    private static volatile bool _loaded;

    internal static delegate* unmanaged<byte*, byte*, nint> Create;
    internal static delegate* unmanaged<nint, int, int> SetSnaplen;
    internal static delegate* unmanaged<nint, int, int> SetPromisc;
    internal static delegate* unmanaged<nint, int, int> SetImmediateMode;
    internal static delegate* unmanaged<nint, int, int> SetTimeout;
    internal static delegate* unmanaged<nint, int, int> SetBufferSize;
    internal static delegate* unmanaged<nint, int> Activate;
    internal static delegate* unmanaged<nint, int, int> SetDirection;
    internal static delegate* unmanaged<nint, BpfProgram*, byte*, int, uint, int> Compile;
    internal static delegate* unmanaged<nint, BpfProgram*, int> SetFilter;
    internal static delegate* unmanaged<BpfProgram*, void> FreeCode;
    internal static delegate* unmanaged<nint, PacketHeader**, byte**, int> NextEx;
    internal static delegate* unmanaged<nint, int, delegate* unmanaged<byte*, PacketHeader*, byte*, void>, byte*, int> Dispatch;
    internal static delegate* unmanaged<nint, byte*, nuint, int> Inject;
    internal static delegate* unmanaged<nint, byte*> GetErr;
    internal static delegate* unmanaged<int, byte*> StatusToStr;
    internal static delegate* unmanaged<nint, void> Close;
    internal static delegate* unmanaged<nint, Stat*, int> Stats;
    internal static delegate* unmanaged<nint, void> BreakLoop;
    internal static delegate* unmanaged<byte*> LibVersion;
    internal static delegate* unmanaged<nint, int, byte*, int> SetNonBlock;
    internal static delegate* unmanaged<nint, int> GetSelectableFd;

    internal const short PollIn = 0x1;

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    // libc by its soname, so no resolver is needed (plain "libc" would hit the libc.so linker script).
    // SetLastError: the doorbell's wait tells a signal (EINTR) from an error.
    [DllImport("libc.so.6", EntryPoint = "poll", SetLastError = true)]
    internal static extern int Poll(PollFd* fds, nuint count, int timeoutMs);

    /// <summary>struct pcap_pkthdr: a struct timeval (two C longs on Linux) then caplen and len.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PacketHeader
    {
        public nint TimestampSeconds;
        public nint TimestampMicroseconds;
        public uint CapturedLength;
        public uint OriginalLength;
    }

    /// <summary>struct bpf_program.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct BpfProgram
    {
        public uint InstructionCount;
        public nint Instructions;
    }

    /// <summary>struct pcap_stat (the portable part).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Stat
    {
        public uint Received;
        public uint Dropped;
        public uint InterfaceDropped;
    }

    /// <summary>Loads libpcap on first use; throws CaptureException(LibraryMissing) if it isn't installed.</summary>
    internal static void EnsureLoaded()
    {
        if (_loaded) return;
        lock (LoadGate)
        {
            if (_loaded) return;
            Bind(LoadLibrary(DefaultLibraryNames));
            _loaded = true;
        }
    }

    internal static nint LoadLibrary(IReadOnlyList<string> candidates)
    {
        foreach (var name in candidates)
        {
            if (NativeLibrary.TryLoad(name, out var library)) return library;
        }
        throw CaptureErrors.LibraryMissing();
    }

    private static void Bind(nint lib)
    {
        try
        {
            Create = (delegate* unmanaged<byte*, byte*, nint>)NativeLibrary.GetExport(lib, "pcap_create");
            SetSnaplen = (delegate* unmanaged<nint, int, int>)NativeLibrary.GetExport(lib, "pcap_set_snaplen");
            SetPromisc = (delegate* unmanaged<nint, int, int>)NativeLibrary.GetExport(lib, "pcap_set_promisc");
            SetImmediateMode = (delegate* unmanaged<nint, int, int>)NativeLibrary.GetExport(lib, "pcap_set_immediate_mode");
            SetTimeout = (delegate* unmanaged<nint, int, int>)NativeLibrary.GetExport(lib, "pcap_set_timeout");
            SetBufferSize = (delegate* unmanaged<nint, int, int>)NativeLibrary.GetExport(lib, "pcap_set_buffer_size");
            Activate = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(lib, "pcap_activate");
            SetDirection = (delegate* unmanaged<nint, int, int>)NativeLibrary.GetExport(lib, "pcap_setdirection");
            Compile = (delegate* unmanaged<nint, BpfProgram*, byte*, int, uint, int>)NativeLibrary.GetExport(lib, "pcap_compile");
            SetFilter = (delegate* unmanaged<nint, BpfProgram*, int>)NativeLibrary.GetExport(lib, "pcap_setfilter");
            FreeCode = (delegate* unmanaged<BpfProgram*, void>)NativeLibrary.GetExport(lib, "pcap_freecode");
            NextEx = (delegate* unmanaged<nint, PacketHeader**, byte**, int>)NativeLibrary.GetExport(lib, "pcap_next_ex");
            Dispatch = (delegate* unmanaged<nint, int, delegate* unmanaged<byte*, PacketHeader*, byte*, void>, byte*, int>)NativeLibrary.GetExport(lib, "pcap_dispatch");
            Inject = (delegate* unmanaged<nint, byte*, nuint, int>)NativeLibrary.GetExport(lib, "pcap_inject");
            GetErr = (delegate* unmanaged<nint, byte*>)NativeLibrary.GetExport(lib, "pcap_geterr");
            StatusToStr = (delegate* unmanaged<int, byte*>)NativeLibrary.GetExport(lib, "pcap_statustostr");
            Close = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(lib, "pcap_close");
            Stats = (delegate* unmanaged<nint, Stat*, int>)NativeLibrary.GetExport(lib, "pcap_stats");
            BreakLoop = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(lib, "pcap_breakloop");
            LibVersion = (delegate* unmanaged<byte*>)NativeLibrary.GetExport(lib, "pcap_lib_version");
            SetNonBlock = (delegate* unmanaged<nint, int, byte*, int>)NativeLibrary.GetExport(lib, "pcap_setnonblock");
            GetSelectableFd = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(lib, "pcap_get_selectable_fd");
        }
        catch (EntryPointNotFoundException e)
        {
            // pcap_set_immediate_mode needs libpcap >= 1.5; anything older is as good as missing.
            throw new CaptureException(CaptureErrorKind.LibraryMissing,
                $"libpcap is too old ({e.Message}): run 'apt-get install libpcap0.8'", e);
        }
    }

    /// <summary>libpcap's version banner, e.g. "libpcap version 1.10.3 (with TPACKET_V3)".</summary>
    internal static string Version()
    {
        EnsureLoaded();
        return Marshal.PtrToStringUTF8((nint)LibVersion()) ?? "";
    }

    internal static string ErrorText(nint handle) =>
        handle == 0 ? "" : Marshal.PtrToStringUTF8((nint)GetErr(handle)) ?? "";

    internal static string StatusText(int status) => Marshal.PtrToStringUTF8((nint)StatusToStr(status)) ?? "";
}
