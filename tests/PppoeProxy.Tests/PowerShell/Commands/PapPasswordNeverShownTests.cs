using System.Text;
using System.Text.Json;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Tests.Cli;
using PppoeProxy.Tests.Protocol;
using Xunit;

namespace PppoeProxy.Tests.PowerShell.Commands;

/// <summary>
/// A capture holding PAP Authenticate-Requests with a known password (whole, and with lengths that
/// overrun) goes through every output: CLI table, JSON, the pcap it writes read back, its error stream,
/// the PowerShell objects as list, table, JSON and CSV. The password's text must appear nowhere, while
/// the user name and the password's length do (so the test sees real decoded output).
/// </summary>
public sealed class PapPasswordNeverShownTests(ModuleHost host) : IClassFixture<ModuleHost>
{
    private const string Password = ControlPacketGen.Password;
    private const string User = "user@flets.example";

    private static byte[] Pap(string user, string password, int passwordLengthOctet)
    {
        byte[] body = [(byte)user.Length, .. Encoding.ASCII.GetBytes(user), (byte)passwordLengthOctet, .. Encoding.ASCII.GetBytes(password)];
        byte[] packet = [0x01, 0x09, (byte)((4 + body.Length) >> 8), (byte)(4 + body.Length), .. body];
        return PppoeFrame.Session(MacAddress.Parse("00:11:22:33:44:55"), MacAddress.Parse("66:77:88:99:aa:bb"), 0x42,
            [0xc0, 0x23, .. packet]).ToBytes();
    }

    private static string WriteCapture(TempFolder folder)
    {
        var path = Path.Combine(folder.Path, "pap.pcap");
        TestPcap.Write(path, new[]
        {
            Pap(User, Password, Password.Length),
            Pap(User, Password, Password.Length + 5),   // password length overruns: an error, still no password
        });
        return path;
    }

    [Fact]
    public void CliTableJsonWrittenCaptureAndErrorsNeverShowThePassword()
    {
        using var folder = new TempFolder();
        var pcap = WriteCapture(folder);
        var written = Path.Combine(folder.Path, "copy.pcap");
        var table = CliRunner.Run("frames", "--read", pcap, "--write", written);
        var json = CliRunner.Run("frames", "--read", pcap, "--json");
        var again = CliRunner.Run("frames", "--read", written);
        var sessions = CliRunner.Run("sessions", "--read", pcap, "--json");
        foreach (var (name, result) in new[] { ("table", table), ("json", json), ("written capture", again), ("sessions", sessions) })
        {
            Assert.DoesNotContain(Password, result.Out + result.Error);
            Assert.DoesNotContain(Password[..5], result.Out + result.Error);
        }
        Assert.Contains($"Peer-Id={User} Password=<{Password.Length} bytes>", table.Out);
        Assert.Contains("malformed: PAP password length 13 runs past the packet", table.Out);
        var first = JsonDocument.Parse(json.OutLines[0]).RootElement.GetProperty("ppp").GetProperty("pap");
        Assert.Equal(User, first.GetProperty("peerId").GetString());
        Assert.Equal(Password.Length, first.GetProperty("passwordLength").GetInt32());
        Assert.Equal(File.ReadAllBytes(pcap).Length, File.ReadAllBytes(written).Length);
    }

    [Fact]
    public void PowerShellObjectsInEveryFormatNeverShowThePassword()
    {
        using var folder = new TempFolder();
        var pcap = WriteCapture(folder);
        var csv = Path.Combine(folder.Path, "frames.csv");
        var r = host.Run("""
            param($Path, $Csv)
            $frames = Get-PppoeFrame -Path $Path
            $frames | Format-List * | Out-String -Width 200
            $frames | Format-List -Property Ppp -Expand Both | Out-String -Width 200
            $frames | Format-Table | Out-String -Width 80
            $frames | ConvertTo-Json -Depth 6
            $frames.Ppp.Pap | Format-List * | Out-String
            $frames | Export-Csv -Path $Csv
            Get-Content -Raw $Csv
            """, new Dictionary<string, object?> { ["Path"] = pcap, ["Csv"] = csv });
        Assert.True(r.AllErrors.Count == 0, r.ToString());
        var text = string.Join("\n", r.Objects);
        Assert.DoesNotContain(Password, text);
        Assert.DoesNotContain(Password[..5], text);
        // Hex (in Format-List *, JSON and CSV) shows the frame's bytes: the password's are masked there too.
        var passwordHex = Convert.ToHexString(Encoding.ASCII.GetBytes(Password[..5])).ToLowerInvariant();
        Assert.Contains("hex", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(passwordHex, text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(User, text);
        Assert.Contains("PasswordLength", text);
    }
}
