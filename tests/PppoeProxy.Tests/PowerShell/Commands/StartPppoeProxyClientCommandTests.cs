using PppoeProxy.PowerShell;
using Xunit;

namespace PppoeProxy.Tests.PowerShell.Commands;

/// <summary>Start-PppoeProxyClient's argument checks in a real runspace (the job lifecycle: ProxyJobLabTests).</summary>
public sealed class StartPppoeProxyClientCommandTests(ModuleHost host) : IClassFixture<ModuleHost>
{
    private const string Command = "PppoeProxy.PowerShell.Commands.StartPppoeProxyClientCommand";

    [Theory]
    [InlineData("-Interface lo -Server nope -Insecure", "ParameterArgumentValidationError")]
    [InlineData("-Interface lo -Server 127.0.0.1:70000 -Insecure", "ParameterArgumentValidationError")]
    [InlineData("-Interface lo -Server 127.0.0.1:4789 -Insecure -KeepAliveInterval 0", "ParameterArgumentValidationError")]
    [InlineData("-Interface lo -Server 127.0.0.1:4789 -Insecure -KeyPath PppoeProxy.psd1", "InsecureWithTlsParameters")]
    [InlineData("-Interface lo -Server 127.0.0.1:4789", "TlsParametersMissing")]
    public void BadArgumentsAreRejectedBeforeAnythingStarts(string arguments, string errorId)
    {
        var r = host.Run($"Start-PppoeProxyClient {arguments}; @(Get-Job).Count");
        Assert.Equal($"{errorId},{Command}", Assert.Single(r.AllErrors).FullyQualifiedErrorId);
        Assert.Equal(0, Assert.Single(r.Objects));
    }
}
