using System.Globalization;

namespace PppoeProxy.Tests.Cli;

/// <summary>Samples of a Prometheus text exposition, keyed as written: name{label="value",...}.</summary>
public static class PrometheusText
{
    public static Dictionary<string, double> Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('#')) continue;
            int space = line.LastIndexOf(' ');
            samples[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }
        return samples;
    }

    public static IEnumerable<string> Series(this Dictionary<string, double> samples, string name) =>
        samples.Keys.Where(k => k == name || k.StartsWith(name + "{", StringComparison.Ordinal));
}
