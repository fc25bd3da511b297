namespace PackageBench;

/// <summary>Decode correctness against tshark, then decode speed and allocations, ours vs PacketDotNet.</summary>
public static class DecodeCheck
{
    public sealed record Tally(int Match, int Wrong, int Missing);

    public static void Run(string workDir, int rounds)
    {
        Console.WriteLine("## Decode correctness (reference: tshark on the same frames)\n");
        var samples = Corpus.All;
        var oracle = TsharkOracle.Decode(samples, workDir);
        Console.WriteLine("| frame | fields tshark decodes | ours | PacketDotNet 1.4.8 |");
        Console.WriteLine("|---|---|---|---|");
        var oursTotal = new int[3];
        var theirsTotal = new int[3];
        for (int i = 0; i < samples.Count; i++)
        {
            var reference = oracle[i];
            var (ours, oursNote) = Compare(reference, OurDecoder.ToFields(samples[i].Bytes));
            var (theirs, theirsNote) = Compare(reference, PacketDotNetDecoder.ToFields(samples[i].Bytes));
            Add(oursTotal, ours); Add(theirsTotal, theirs);
            Console.WriteLine($"| {samples[i].Name} | {reference.Count} | {oursNote} | {theirsNote} |");
        }
        Console.WriteLine($"| **total** | {oursTotal.Sum()} | {Summary(oursTotal)} | {Summary(theirsTotal)} |");
        Console.WriteLine("\n(fields: VLAN ids, PPPoE ver/type/code/session/length, tags, PPP protocol/code/id/length, PPP packet size (PPPoE length − 2), malformed verdict)\n");
        Speed(rounds, "all well-formed frames", Corpus.WellFormed);
        // PacketDotNet decodes PPPoE only in session frames, so compare there too, where both do real work.
        Speed(rounds, "session-stage frames only", Corpus.WellFormed.Where(s => IsSession(s.Bytes)).ToArray());
    }

    private static bool IsSession(byte[] frame)
    {
        int offset = 12;
        while (frame[offset] is 0x81 or 0x88 or 0x91 && frame[offset + 1] is 0x00 or 0xa8) offset += 4;
        return frame[offset] == 0x88 && frame[offset + 1] == 0x64;
    }

    private static (Tally, string) Compare(FieldSet reference, FieldSet decoded)
    {
        int match = 0, wrong = 0, missing = 0;
        var notes = new List<string>();
        foreach (var (key, expected) in reference)
        {
            if (!decoded.TryGetValue(key, out var actual)) { missing++; notes.Add($"no {key}"); }
            else if (actual == expected) match++;
            else { wrong++; notes.Add($"{key} {Short(actual)}≠{Short(expected)}"); }
        }
        if (decoded.TryGetValue("exception", out var exception)) notes.Add($"threw {exception}");
        var note = notes.Count == 0 ? "all match" : $"{match} ok; " + string.Join("; ", Compact(notes));
        return (new Tally(match, wrong, missing), note);
    }

    // "no service_name; no host_uniq; ..." gets long for discovery frames PacketDotNet cannot read.
    private static IEnumerable<string> Compact(List<string> notes)
    {
        var absent = notes.Where(n => n.StartsWith("no ")).Select(n => n[3..]).ToList();
        if (absent.Count > 0) yield return "missing " + string.Join(",", absent);
        foreach (var other in notes.Where(n => !n.StartsWith("no "))) yield return other;
    }

    private static string Short(string value) => value.Length > 12 ? value[..10] + "…" : value;

    private static void Add(int[] total, Tally tally) { total[0] += tally.Match; total[1] += tally.Wrong; total[2] += tally.Missing; }

    private static string Summary(int[] total) => $"**{total[0]} match, {total[1]} wrong, {total[2]} missing**";

    private static void Speed(int rounds, string label, IReadOnlyList<Corpus.Sample> samples)
    {
        var frames = samples.Select(s => s.Bytes).ToArray();
        Func<int> ours = () => { int s = 0; foreach (var f in frames) s += OurDecoder.DecodeHot(f); return s; };
        Func<int> objects = () => { int s = 0; foreach (var f in frames) s += OurDecoder.DecodeObjects(f); return s; };
        Func<int> theirs = () => { int s = 0; foreach (var f in frames) s += PacketDotNetDecoder.DecodeHot(f); return s; };
        var results = Measure.Alternate(rounds,
            () => Measure.Time(ours, frames.Length), () => Measure.Time(theirs, frames.Length), () => Measure.Time(objects, frames.Length));
        Console.WriteLine($"## Decode speed: {label} ({frames.Length} frames, {rounds} alternating rounds, median)\n");
        Console.WriteLine("| decoder | ns/frame | bytes allocated/frame | time vs FrameView (per-round range) |");
        Console.WriteLine("|---|---|---|---|");
        var names = new[] { "ours: FrameView + tag walk (forwarding path)", "PacketDotNet: ParsePacket + PayloadPacket chain", "ours: PppoeFrame objects (user-facing)" };
        for (int k = 0; k < names.Length; k++)
        {
            var ns = results[k].Select(c => c.NsPerOp).ToList();
            Console.WriteLine($"| {names[k]} | {Measure.F(Measure.Median(ns), 1)} | {Measure.F(Measure.Median(results[k].Select(c => c.BytesPerOp)), 0)} | "
                + (k == 0 ? "1" : Measure.Ratio(ns, results[0].Select(c => c.NsPerOp).ToList())) + " |");
        }
        Console.WriteLine();
    }
}
