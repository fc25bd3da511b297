using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PppoeProxy.Engine.Capture;

/// <summary>
/// An eventfd that one thread rings to wake another sleeping in poll() on its own descriptor. Why: a
/// thread that must notice a stop (or a second source) while it waits on a socket otherwise wakes on a
/// timer to look, 20 times a second per thread at idle, for months. The descriptor is a SafeHandle held
/// for each wait, so a Dispose racing a wait closes it only once the wait is over. Linux only (the
/// product's platform); <see cref="TryCreate"/> gives null where eventfd is missing.
/// </summary>
internal sealed unsafe class Doorbell : IDisposable
{
    private const int EfdNonBlock = 0x800, EfdCloExec = 0x80000;
    private readonly BellHandle _handle;

    private Doorbell(BellHandle handle) => _handle = handle;

    public static Doorbell? TryCreate()
    {
        if (!OperatingSystem.IsLinux()) return null;
        int fd = EventFd(0, EfdNonBlock | EfdCloExec);
        return fd < 0 ? null : new Doorbell(new BellHandle(fd));
    }

    /// <summary>Wakes the waiter (now, or at its next wait if none waits).</summary>
    public void Ring()
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            ulong one = 1;
            _ = Write((int)_handle.DangerousGetHandle(), &one, sizeof(ulong)); // a full counter (2^64 - 2 rings) is still rung
        }
        catch (ObjectDisposedException) { } // closed: nobody waits any more
        finally { if (added) _handle.DangerousRelease(); }
    }

    /// <summary>
    /// Waits until <paramref name="fd"/> is readable, the bell rings, or <paramref name="timeoutMs"/>
    /// passes (-1: no limit). True when <paramref name="fd"/> is readable (or in error, for its reader
    /// to report). A ring is consumed here.
    /// </summary>
    public bool Wait(SafeHandle fd, int timeoutMs)
    {
        bool added = false;
        try
        {
            fd.DangerousAddRef(ref added);
            return Wait((int)fd.DangerousGetHandle(), timeoutMs);
        }
        finally { if (added) fd.DangerousRelease(); }
    }

    /// <summary>The same for a descriptor whose owner keeps it open meanwhile (libpcap's).</summary>
    public bool Wait(int fd, int timeoutMs)
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            var fds = stackalloc LibPcap.PollFd[2];
            fds[0] = new LibPcap.PollFd { Fd = fd, Events = LibPcap.PollIn };
            fds[1] = new LibPcap.PollFd { Fd = (int)_handle.DangerousGetHandle(), Events = LibPcap.PollIn };
            int ready = LibPcap.Poll(fds, 2, timeoutMs);
            if (ready == 0) return false;
            // An error other than a signal: "readable", so the fd's reader meets and reports it.
            if (ready < 0) return Marshal.GetLastPInvokeError() != Errno.Interrupted;
            if (fds[1].ReturnedEvents != 0)
            {
                ulong count;
                _ = Read((int)_handle.DangerousGetHandle(), &count, sizeof(ulong));
            }
            return fds[0].ReturnedEvents != 0;
        }
        finally { if (added) _handle.DangerousRelease(); }
    }

    public void Dispose() => _handle.Dispose();

    private sealed class BellHandle : SafeHandleMinusOneIsInvalid
    {
        public BellHandle(int fd) : base(ownsHandle: true) => SetHandle(fd);
        protected override bool ReleaseHandle() => CloseFd((int)handle) == 0;
    }

    // By soname, as LibPcap.Poll: "libc.so" is only a linker script.
    [DllImport("libc.so.6", EntryPoint = "eventfd")]
    private static extern int EventFd(uint initial, int flags);
    [DllImport("libc.so.6", EntryPoint = "write")]
    private static extern nint Write(int fd, void* buffer, nuint count);
    [DllImport("libc.so.6", EntryPoint = "read")]
    private static extern nint Read(int fd, void* buffer, nuint count);
    [DllImport("libc.so.6", EntryPoint = "close")]
    private static extern int CloseFd(int fd);
}
