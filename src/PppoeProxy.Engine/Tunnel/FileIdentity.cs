using System.Runtime.InteropServices;

namespace PppoeProxy.Engine.Tunnel;

/// <summary>
/// A file's device and inode, so a process can tell "the file I made" from another file that took
/// its path since (a status socket re-created by another instance). .NET has no API for either.
/// </summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode)
{
    /// <summary>The path's own identity (a symlink is not followed); null when it does not exist or cannot be read.</summary>
    public static FileIdentity? Of(string path)
    {
        // struct stat begins with st_dev then st_ino, both 64-bit, on every 64-bit Linux ABI (x86_64,
        // aarch64's generic layout); the rest of the struct is never read, the buffer only has to hold it.
        Span<byte> buffer = stackalloc byte[256];
        try
        {
            unsafe
            {
                fixed (byte* stat = buffer)
                    if (Lstat(path, stat) != 0) return null;
            }
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return null; } // glibc < 2.33, not Linux
        return new FileIdentity(BitConverter.ToUInt64(buffer[..8]), BitConverter.ToUInt64(buffer[8..16]));
    }

    [DllImport("libc.so.6", EntryPoint = "lstat", SetLastError = true)] // as LibPcap.Poll: "libc.so" is only a linker script
    private static extern unsafe int Lstat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte* stat);
}
