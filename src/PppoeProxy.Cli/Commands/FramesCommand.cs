using System.CommandLine;
using PppoeProxy.Engine.Capture;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Protocol;

namespace PppoeProxy.Cli.Commands;

/// <summary>`pppoeproxy frames`: print PPPoE frames from an interface or a file, optionally saving them.</summary>
public static class FramesCommand
{
    public static Command Build(Console2 io)
    {
        var iface = CliOptions.Interface(required: false);
        var read = CliOptions.ReadFile();
        var count = new Option<int?>("--count", "-c") { Description = "Stop after N frames", HelpName = "N" };
        var timeout = CliOptions.Timeout("Stop after S seconds (live capture)");
        var write = new Option<string?>("--write", "-w") { Description = "Also write the frames to a pcap file", HelpName = "FILE" };
        var json = CliOptions.Json();
        var command = new Command("frames", "Print PPPoE frames seen on an interface or stored in a capture file")
        {
            iface, read, count, timeout, write, json,
        };
        command.Validators.Add(r => SourceRules.RequireOneSource(r, iface, read));
        count.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is int n && n <= 0) r.AddError("--count must be positive"); });

        command.SetSyncAction(io, (parsed, cancel) =>
        {
            int? limit = parsed.GetValue(count);
            bool asJson = parsed.GetValue(json);
            string? interfaceName = parsed.GetValue(iface);
            using var writer = parsed.GetValue(write) is string path ? PcapFileWriter.Create(path) : null;
            int seen = 0;
            bool headerShown = false;
            FrameHandler print = (in FrameView frame, DateTimeOffset time) =>
            {
                // The header waits for the first frame so an open error is not preceded by it.
                if (!asJson && seen == 0 && !headerShown) { io.Out.WriteLine(Tables.FrameHeader); headerShown = true; }
                var shown = PppoeFrame.FromView(frame, time, interfaceName, keepRawBytes: false);
                io.Out.WriteLine(asJson ? EngineJson.Serialize(shown) : Tables.FrameRow(shown));
                writer?.Write(frame.Bytes, (time - DateTimeOffset.UnixEpoch).Ticks / 10);
                return limit is not int max || ++seen < max;
            };
            if (parsed.GetValue(read) is string file)
                FrameReading.ReadFile(file, print, cancellationToken: cancel);
            else
                FrameReading.Capture(interfaceName!, new CaptureOptions { Direction = CaptureDirection.Both }, print,
                    CliOptions.Seconds(parsed.GetValue(timeout)), cancel);
            io.Out.Flush();
            return ExitCodes.Success;
        });
        return command;
    }
}
