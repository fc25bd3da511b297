using System.Management.Automation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PppoeProxy.PowerShell;
using Xunit;

namespace PppoeProxy.Tests.PowerShell.Commands;

/// <summary>New-PppoeProxyCertificate in a real runspace: files, fingerprint, no overwrite, -WhatIf.</summary>
public sealed class NewPppoeProxyCertificateCommandTests(ModuleHost host) : IClassFixture<ModuleHost>
{
    [Fact]
    public void WritesAKeyPairBesideTheLocationAndReturnsTheCertificatesSha256()
    {
        using var temp = new TempFolder();
        var r = host.Run("param($Dir) Push-Location $Dir; try { New-PppoeProxyCertificate -Path server } finally { Pop-Location }", ("Dir", temp.Path));
        Assert.True(r.AllErrors.Count == 0, r.ToString());
        var id = Assert.IsType<ProxyCertificate>(Assert.Single(r.Objects));
        Assert.Equal(temp.Of("server.crt"), id.CertificatePath);
        Assert.Equal(temp.Of("server.key"), id.KeyPath);
        using var cert = X509Certificate2.CreateFromPemFile(id.CertificatePath, id.KeyPath);
        Assert.True(cert.HasPrivateKey);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(cert.RawData)).ToLowerInvariant(), id.Fingerprint);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(id.KeyPath));
    }

    [Fact]
    public void NeverOverwritesAnIdentity()
    {
        using var temp = new TempFolder();
        var first = host.Run("param($Path) New-PppoeProxyCertificate -Path $Path", ("Path", temp.Of("twice")));
        Assert.True(first.AllErrors.Count == 0, first.ToString());
        var key = File.ReadAllBytes(temp.Of("twice.key"));
        var again = host.Run("param($Path) New-PppoeProxyCertificate -Path $Path -Confirm:$false", ("Path", temp.Of("twice")));
        var error = Assert.Single(again.AllErrors);
        Assert.Equal("CertificateFileExists,PppoeProxy.PowerShell.Commands.NewPppoeProxyCertificateCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
        Assert.Empty(again.Output);
        Assert.Equal(key, File.ReadAllBytes(temp.Of("twice.key")));
    }

    [Fact]
    public void WhatIfWritesNothing()
    {
        using var temp = new TempFolder();
        var r = host.Run("param($Path) New-PppoeProxyCertificate -Path $Path -WhatIf", ("Path", temp.Of("whatif")));
        Assert.True(r.AllErrors.Count == 0, r.ToString());
        Assert.Empty(r.Output);
        Assert.Empty(Directory.GetFiles(temp.Path));
    }
}
