using System.CommandLine;

namespace PppoeProxy.Cli;

/// <summary>
/// `--config FILE`: the long flag lists of server/client as a file, for systemd units and humans.
/// One `name = value` per line, names as the flags without dashes (`interface = eth0`,
/// `insecure = true`); `#` starts a comment. Flags on the command line win over the file.
/// </summary>
public static class ConfigFile
{
    public const string Flag = "--config";

    /// <summary>Real configs are a few hundred bytes; the cap stops /dev/zero or a wrong huge file from eating memory forever.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>
    /// A FIFO with no writer (or a terminal, a stuck network file) blocks open() or read() forever; a
    /// real config, even one piped in with &lt;(...), is read in milliseconds.
    /// </summary>
    public static readonly TimeSpan ReadDeadline = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Returns the arguments with the file's settings merged in; throws UsageException with FILE:LINE.
    /// <paramref name="origins"/>, when given, gets "FILE:LINE" for every flag the file supplied, so a
    /// bad value found later (by the parser or the options builder) can point at the line to fix.
    /// </summary>
    public static string[] Expand(string[] args, RootCommand root, IDictionary<string, string>? origins = null)
    {
        int at = Array.FindIndex(args, a => a == Flag || a.StartsWith(Flag + "="));
        if (at < 0) return args;
        string path;
        var rest = args.ToList();
        if (args[at].StartsWith(Flag + "=")) { path = args[at][(Flag.Length + 1)..]; rest.RemoveAt(at); }
        else if (at + 1 < args.Length) { path = args[at + 1]; rest.RemoveRange(at, 2); }
        else throw new UsageException($"{Flag} needs a file");
        if (rest.Count == 0 || root.Subcommands.FirstOrDefault(c => c.Name == rest[0]) is not { } command)
            throw new UsageException($"{Flag} goes after a command, e.g. pppoeproxy server {Flag} FILE");
        if (Directory.Exists(path)) throw new UsageException($"{Flag}: {path} is a directory, not a file");
        if (!File.Exists(path)) throw new UsageException($"{Flag}: file not found: {path}");

        var known = command.Options.SelectMany(o => o.Aliases.Append(o.Name)).Where(n => n.StartsWith("--")).ToHashSet();
        var given = rest.Where(a => a.StartsWith("--")).Select(a => a.Split('=')[0]).ToHashSet();
        var fromFile = new List<string>();
        int number = 0;
        string[] lines;
        try { lines = ReadWithDeadline(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new UsageException($"{Flag}: cannot read {path}: {FirstLine(e.Message)}");
        }
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Split('#')[0].Trim();
            if (line.Length == 0) continue;
            int equals = line.IndexOf('=');
            if (equals <= 0) throw new UsageException($"{path}:{number}: expected 'name = value'");
            var name = "--" + line[..equals].Trim();
            var value = line[(equals + 1)..].Trim().Trim('"');
            if (!known.Contains(name)) throw new UsageException($"{path}:{number}: unknown setting '{name[2..]}' for '{command.Name}'");
            if (given.Contains(name)) continue;
            var option = command.Options.First(o => o.Name == name || o.Aliases.Contains(name));
            if (option.ValueType == typeof(bool))
            {
                if (!bool.TryParse(value, out bool on)) throw new UsageException($"{path}:{number}: '{name[2..]}' takes true or false");
                if (on) fromFile.Add(name);
                continue;
            }
            fromFile.Add(name);
            fromFile.Add(value);
            if (origins is not null) origins[name] = $"{path}:{number}";
        }
        rest.InsertRange(1, fromFile);
        return rest.ToArray();
    }

    private static string FirstLine(string text) => text.Split('\n')[0].TrimEnd();

    // The read runs on a thread of its own so a blocked open() cannot hold the CLI; that thread,
    // if it never returns, is a background thread and ends with the process.
    private static string[] ReadWithDeadline(string path)
    {
        var read = new Task<string[]>(() => ReadLinesCapped(path), TaskCreationOptions.LongRunning);
        read.Start();
        bool finished;
        try { finished = read.Wait(ReadDeadline); }
        catch (AggregateException) { finished = true; } // GetResult below throws the read's own exception
        if (!finished)
            throw new UsageException($"{Flag}: {path} gave no data within {ReadDeadline.TotalSeconds:0} s (a FIFO or device, not a config file?)");
        return read.GetAwaiter().GetResult();
    }

    private static string[] ReadLinesCapped(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
        var bytes = new byte[MaxBytes + 1];
        int filled = 0, read;
        while (filled < bytes.Length && (read = file.Read(bytes, filled, bytes.Length - filled)) > 0) filled += read;
        if (filled > MaxBytes)
            throw new UsageException($"{Flag}: {path} is over {MaxBytes / 1024} KiB, not a config file");
        using var reader = new StreamReader(new MemoryStream(bytes, 0, filled)); // detects a BOM like File.ReadAllLines
        var lines = new List<string>();
        while (reader.ReadLine() is { } line) lines.Add(line);
        return lines.ToArray();
    }
}
