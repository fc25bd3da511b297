using System.Globalization;
using System.Text.RegularExpressions;
using PppoeProxy.Tests.Integration;
using Xunit;

namespace PppoeProxy.Tests.Bench;

/// <summary>
/// The impaired-path bench (bench/impaired/run.sh) is only as good as its WAN: the C stage that holds
/// each frame DELAY ms and the nftables rules that drop LOSS % of it. Run alone for 2 s
/// (`--stage-check`: pxbench ping across the WAN to a reflecting sink and back), it must delay by at
/// least the configured round trip and lose about the configured fraction on each way.
/// </summary>
public class ImpairedWanStageTests
{
    [ImpairedStageFact]
    public void TheWanStageDelaysEachWayAndDropsAboutTheConfiguredFraction()
    {
        const double lossPct = 10, delayMs = 15;
        var result = NetnsLab.Run("bash", new[] { RepoPaths.Of("bench", "impaired", "run.sh"), "--stage-check",
            lossPct.ToString(CultureInfo.InvariantCulture), delayMs.ToString(CultureInfo.InvariantCulture) }, TimeSpan.FromSeconds(90));
        var output = result.Stdout + result.Stderr;
        Assert.True(result.Ok, output);

        var line = Regex.Match(result.Stdout, @"^stage-check loss_pct=.*$", RegexOptions.Multiline).Value;
        Assert.False(string.IsNullOrEmpty(line), output);
        double Field(string name) => double.Parse(Regex.Match(line, $@"\b{name}=([0-9.-]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        double sent = Field("sent"), echoed = Field("echoed"), p50Us = Field("p50_us"), drops = Field("nft_drops");

        Assert.True(sent >= 1900, $"the probe sent {sent} of 2000\n{output}");
        // Both ways lose 10 %: 0.9 * 0.9 = 0.81 of the probes come back (binomial spread ~0.01 at 2,000).
        double back = echoed / sent;
        Assert.True(back is > 0.70 and < 0.90, $"{back:F3} of the probes came back, expected about 0.81\n{output}");
        Assert.True(drops >= sent * 0.1, $"nftables counted {drops} drops for {sent} probes and their echoes\n{output}");
        // Every frame is held 15 ms each way: no round trip can be shorter than 30 ms.
        Assert.True(p50Us >= 2 * delayMs * 1000, $"median round trip {p50Us} us is under the configured {2 * delayMs} ms\n{output}");
        Assert.True(p50Us < 2 * delayMs * 1000 + 20_000, $"median round trip {p50Us} us: the stage adds far more than configured\n{output}");

        var namespaces = NetnsLab.Run("ip", new[] { "netns", "list" }, TimeSpan.FromSeconds(5)).Stdout;
        Assert.DoesNotContain("pxwt", namespaces);
    }
}
