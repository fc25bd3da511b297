using System.Diagnostics;
using System.Net;
using PppoeProxy.Engine.Tunnel.Security;
using Xunit;

namespace PppoeProxy.Tests.Tunnel.Security;

public class TunnelCertificateFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pppoeproxy-certs-" + Guid.NewGuid().ToString("n"));

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static (int Code, string Output) Openssl(params string[] args)
    {
        var info = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    [Fact]
    public void CreatedFilesAgreeWithOpensslAndTheKeyIsPrivate()
    {
        string prefix = Path.Combine(_dir, "sub", "server");
        string fingerprint = CertificateFiles.Create(prefix);
        Assert.Matches("^[0-9a-f]{64}$", fingerprint);

        var (code, output) = Openssl("x509", "-in", prefix + ".crt", "-noout", "-fingerprint", "-sha256");
        Assert.Equal(0, code);
        string theirs = output.Trim()[(output.IndexOf('=') + 1)..].Replace(":", "").ToLowerInvariant();
        Assert.Equal(theirs, fingerprint);

        (code, output) = Openssl("pkey", "-in", prefix + ".key", "-noout");
        Assert.True(code == 0, output);
        (code, output) = Openssl("x509", "-in", prefix + ".crt", "-noout", "-text");
        Assert.Contains("prime256v1", output);

        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(prefix + ".key"));

        using var loaded = CertificateFiles.Load(prefix + ".crt", prefix + ".key");
        Assert.True(loaded.HasPrivateKey);
        Assert.Equal(fingerprint, Fingerprint.Of(loaded));
        Assert.True(loaded.NotAfter > DateTime.UtcNow.AddYears(50));
    }

    [Fact]
    public void CreateRefusesToOverwriteAnIdentity()
    {
        string prefix = Path.Combine(_dir, "id");
        CertificateFiles.Create(prefix);
        byte[] key = File.ReadAllBytes(prefix + ".key");
        var error = Assert.Throws<TunnelConfigException>(() => CertificateFiles.Create(prefix));
        Assert.Contains("refusing to overwrite", error.Message);
        Assert.Equal(key, File.ReadAllBytes(prefix + ".key"));
    }

    [Fact]
    public void LoadRejectsAKeyThatDoesNotMatchTheCertificate()
    {
        string a = Path.Combine(_dir, "a"), b = Path.Combine(_dir, "b");
        CertificateFiles.Create(a);
        CertificateFiles.Create(b);
        var error = Assert.Throws<TunnelConfigException>(() => CertificateFiles.Load(a + ".crt", b + ".key"));
        Assert.Equal($"private key in {b}.key does not match the certificate in {a}.crt", error.Message);
    }

    [Fact]
    public void LoadExplainsMissingAndUnreadableFilesInOneLine()
    {
        string prefix = Path.Combine(_dir, "c");
        CertificateFiles.Create(prefix);
        string garbage = Path.Combine(_dir, "garbage.pem");
        File.WriteAllText(garbage, "not a pem file\n");

        var missing = Assert.Throws<TunnelConfigException>(() => CertificateFiles.Load(prefix + ".nope", prefix + ".key"));
        Assert.Equal($"certificate file {prefix}.nope not found", missing.Message);
        missing = Assert.Throws<TunnelConfigException>(() => CertificateFiles.Load(prefix + ".crt", Path.Combine(_dir, "x", "k.key")));
        Assert.StartsWith("private key file ", missing.Message);

        var badCert = Assert.Throws<TunnelConfigException>(() => CertificateFiles.Load(garbage, prefix + ".key"));
        Assert.StartsWith($"{garbage} holds no readable PEM certificate", badCert.Message);
        var badKey = Assert.Throws<TunnelConfigException>(() => CertificateFiles.Load(prefix + ".crt", garbage));
        Assert.StartsWith($"{garbage} holds no usable unencrypted ECDSA PEM private key", badKey.Message);
        foreach (var e in new[] { missing, badCert, badKey }) Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("3F2A" + "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDD")]
    [InlineData("3f:2a:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd")]
    [InlineData("  3F:2A:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD\n")]
    public void FingerprintsParseWithOrWithoutColonsInAnyCase(string text)
    {
        Assert.True(Fingerprint.TryParse(text, out string? fp));
        Assert.Equal("3f2a00112233445566778899aabbccddeeff00112233445566778899aabbccdd", fp);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("3f2a00112233445566778899aabbccddeeff00112233445566778899aabbccd")]     // 63 digits
    [InlineData("3f2a00112233445566778899aabbccddeeff00112233445566778899aabbccddee")]  // 66 digits
    [InlineData("3g2a00112233445566778899aabbccddeeff00112233445566778899aabbccdd")]    // not hex
    [InlineData("3f2:a0:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd")]
    public void BadFingerprintsAreRefused(string? text)
    {
        Assert.False(Fingerprint.TryParse(text, out _));
        if (text is not null) Assert.Throws<FormatException>(() => Fingerprint.Parse(text));
    }
}

public class TunnelCidrAllowListTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.255.0.9", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]   // what a dual-stack socket reports for an IPv4 peer
    [InlineData("128.0.0.1", false)]
    [InlineData("::2", false)]
    [InlineData("10.0.0.1", false)]
    public void LoopbackOnlyIsTheDefault(string address, bool allowed) =>
        Assert.Equal(allowed, CidrAllowList.LoopbackOnly.Allows(IPAddress.Parse(address)));

    [Fact]
    public void MixedListsMatchIpv4Ipv6AndMappedAddresses()
    {
        var list = CidrAllowList.Parse(" 192.168.1.5/24, 10.0.0.7 fd00::/8,2001:db8::1, ::ffff:172.16.0.0/108");
        Assert.Equal("192.168.1.0/24,10.0.0.7/32,fd00::/8,2001:db8::1/128,172.16.0.0/12", list.ToString());
        Assert.True(list.Allows(IPAddress.Parse("192.168.1.200")));
        Assert.True(list.Allows(IPAddress.Parse("::ffff:192.168.1.1")));
        Assert.False(list.Allows(IPAddress.Parse("192.168.2.1")));
        Assert.True(list.Allows(IPAddress.Parse("10.0.0.7")));
        Assert.False(list.Allows(IPAddress.Parse("10.0.0.8")));
        Assert.True(list.Allows(IPAddress.Parse("fdab:1::5")));
        Assert.False(list.Allows(IPAddress.Parse("fe80::1")));
        Assert.True(list.Allows(IPAddress.Parse("2001:db8::1")));
        Assert.False(list.Allows(IPAddress.Parse("2001:db8::2")));
        Assert.True(list.Allows(IPAddress.Parse("172.31.255.255")));
        Assert.True(list.Allows(IPAddress.Parse("::ffff:172.20.1.1")));
        Assert.False(list.Allows(IPAddress.Parse("172.32.0.0")));
        // IPv4 entries never match native IPv6 addresses that merely share low bits.
        Assert.False(list.Allows(IPAddress.Parse("::192.168.1.1")));
    }

    [Fact]
    public void ZeroPrefixesMatchEverythingOfTheirFamily()
    {
        Assert.True(CidrAllowList.Any.Allows(IPAddress.Parse("8.8.8.8")));
        Assert.True(CidrAllowList.Any.Allows(IPAddress.Parse("2606:4700::1111")));
        var v4Only = CidrAllowList.Parse("0.0.0.0/0");
        Assert.True(v4Only.Allows(IPAddress.Parse("::ffff:1.2.3.4")));
        Assert.False(v4Only.Allows(IPAddress.Parse("2606:4700::1111")));
    }

    [Theory]
    [InlineData("", "allow list is empty")]
    [InlineData(" , ", "allow list is empty")]
    [InlineData("10.0.0.0/33", "prefix length must be 0-32")]
    [InlineData("::/129", "prefix length must be 0-128")]
    [InlineData("10.0.0.0/-1", "prefix length must be 0-32")]
    [InlineData("10.0.0.0/", "prefix length must be 0-32")]
    [InlineData("10.0.0/8", "is not an IP address")]
    [InlineData("example.com", "is not an IP address")]
    [InlineData("fe80::1%eth0", "zone ids")]
    [InlineData("127.0.0.1,nope", "'nope' is not a valid allow-list entry")]
    public void BadInputGetsAFormatErrorNamingTheProblem(string text, string expected)
    {
        var error = Assert.Throws<CidrFormatException>(() => CidrAllowList.Parse(text));
        Assert.IsAssignableFrom<FormatException>(error);
        Assert.Contains(expected, error.Message);
        Assert.False(CidrAllowList.TryParse(text, out _));
    }
}
