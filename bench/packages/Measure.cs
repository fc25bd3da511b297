using System.Diagnostics;
using System.Globalization;

namespace PackageBench;

/// <summary>Stopwatch timing with allocation counts; contenders alternate within one run so machine noise hits both.</summary>
public static class Measure
{
    public readonly record struct Cost(double NsPerOp, double BytesPerOp);

    /// <summary>Runs <paramref name="pass"/> until ~targetMs elapsed; each pass does opsPerPass operations.</summary>
    public static Cost Time(Func<int> pass, int opsPerPass, double targetMs = 150)
    {
        long passes = 0;
        int sink = 0;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        // Small passes run in batches so reading the clock costs nothing; big ones (whole files) one at a time.
        int batch = opsPerPass >= 1000 ? 1 : 64;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalMilliseconds < targetMs)
        {
            for (int i = 0; i < batch; i++) sink += pass();
            passes += batch;
        }
        watch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        GC.KeepAlive(sink);
        double ops = (double)passes * opsPerPass;
        return new Cost(watch.Elapsed.TotalMilliseconds * 1e6 / ops, allocated / ops);
    }

    /// <summary>Each round runs every contender once, in rotating order; returns per-contender costs by round.</summary>
    public static List<Cost>[] Alternate(int rounds, params Func<Cost>[] contenders)
    {
        foreach (var contender in contenders) contender(); // warm-up: JIT and tiering
        var results = contenders.Select(_ => new List<Cost>()).ToArray();
        for (int round = 0; round < rounds; round++)
            for (int k = 0; k < contenders.Length; k++)
            {
                int index = (k + round) % contenders.Length;
                results[index].Add(contenders[index]());
            }
        return results;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>"median (min–max)" of per-round ratios other/baseline.</summary>
    public static string Ratio(IReadOnlyList<double> other, IReadOnlyList<double> baseline)
    {
        var ratios = other.Zip(baseline, (o, b) => b == 0 ? double.NaN : o / b).ToArray();
        return $"{F(Median(ratios), 2)}× ({F(ratios.Min(), 2)}–{F(ratios.Max(), 2)})";
    }

    public static string F(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);
}
