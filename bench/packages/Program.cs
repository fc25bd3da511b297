using PackageBench;

// Usage: PackageBench decode|forge|files|capture|inject [options]; see bench/packages/run.sh.
var mode = args.Length > 0 ? args[0] : "";
var workDir = Environment.GetEnvironmentVariable("PKB_WORK") ?? Path.GetTempPath();
int rounds = int.TryParse(Environment.GetEnvironmentVariable("PKB_ROUNDS"), out var r) ? r : 7;
try
{
    switch (mode)
    {
        case "decode": DecodeCheck.Run(workDir, rounds); break;
        case "forge": ForgeCheck.Run(workDir, rounds); break;
        case "files": FileCheck.Run(workDir, args.Length > 1 ? args[1] : "samples/sample.pcap", rounds); break;
        case "capture" or "inject" when args.Length == 7:
            // capture|inject IFACE MAC GEN_NS GEN_IFACE GEN_MAC PXBENCH (run inside the capture namespace)
            var live = new LiveCheck(args[1], args[2], args[3], args[4], args[5], args[6]);
            if (mode == "capture") live.Capture(Math.Max(rounds / 2, 2), new[] { (50_000, 2.0), (250_000, 1.0) });
            else live.Inject(rounds);
            break;
        default:
            Console.Error.WriteLine("usage: PackageBench decode|forge|files [SAMPLE.pcap] | capture|inject IFACE MAC GEN_NS GEN_IFACE GEN_MAC PXBENCH");
            return 2;
    }
    return 0;
}
catch (Exception e) when (e is IOException or InvalidOperationException or PppoeProxy.Engine.Capture.CaptureException
    or SharpPcap.PcapException)
{
    Console.Error.WriteLine($"PackageBench {mode}: {e.Message}");
    return 1;
}
