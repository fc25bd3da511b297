using PppoeProxy.Cli;
using PppoeProxy.Tests.Cli;
using Xunit;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// Mistakes on the server/client command line: one line naming the problem, exit 2 for usage and
/// 1 for what only fails at run time, never a stack trace. In-process (no root, no network).
/// </summary>
public sealed class TunnelCliErrorTests
{
    private const string Fp = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("TLS needs --cert", "server", "--interface", "lo", "--listen", "127.0.0.1:4000")]
    [InlineData("TLS needs --cert", "client", "--interface", "lo", "--server", "127.0.0.1:4000")]
    [InlineData("TLS needs --cert", "server", "--interface", "lo", "--listen", "127.0.0.1:4000", "--cert", "a.crt", "--key", "a.key")]
    [InlineData("--insecure excludes", "client", "--interface", "lo", "--server", "127.0.0.1:4000", "--insecure", "--trust", Fp)]
    [InlineData("--listen", "server", "--interface", "lo", "--listen", "not-an-endpoint", "--insecure")]
    [InlineData("--listen", "server", "--interface", "lo", "--listen", "127.0.0.1:99999", "--insecure")]
    [InlineData("--allow", "server", "--interface", "lo", "--listen", "127.0.0.1:4000", "--allow", "10.0.0.0/33", "--insecure")]
    [InlineData("--allow", "server", "--interface", "lo", "--listen", "127.0.0.1:4000", "--allow", "banana", "--insecure")]
    [InlineData("--server", "client", "--interface", "lo", "--server", "no-port-here", "--insecure")]
    [InlineData("Did you mean one of the following? Rewrite, Transparent", "server", "--interface", "lo", "--listen", "127.0.0.1:4000", "--insecure", "--mac-mode", "sideways")]
    [InlineData("Mode must be", "-interface", "lo", "-mode", "bridge", "-address", "127.0.0.1:4000")]
    [InlineData("Address must be specified", "-interface", "lo", "-mode", "server")]
    [InlineData("-allow", "-interface", "lo", "-mode", "server", "-address", "127.0.0.1:4000", "-allow", "banana")]
    [InlineData("-address", "-interface", "lo", "-mode", "client", "-address", "nowhere")]
    public void UsageErrorsExit2WithOneLine(string mentions, params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(ExitCodes.UsageError, r.ExitCode);
        var lines = ErrorLines(r);
        // One line, the --help hint included, so a service log shows the whole error at once.
        Assert.Single(lines);
        Assert.StartsWith("pppoeproxy: ", lines[0]);
        Assert.Contains(mentions, lines[0]);
        Assert.DoesNotContain("   at ", r.Error);
        Assert.Equal("", r.Out);
    }

    [Fact]
    public void NonexistentCertificateFileIsARuntimeErrorOnOneLine()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"ppx-missing-{Guid.NewGuid():N}");
        var r = CliRunner.Run("server", "--interface", "lo", "--listen", "127.0.0.1:47999",
            "--cert", missing + ".crt", "--key", missing + ".key", "--trust", Fp);
        Assert.Equal(ExitCodes.RuntimeError, r.ExitCode);
        var line = Assert.Single(ErrorLines(r));
        Assert.Equal($"pppoeproxy: certificate file {missing}.crt not found", line);
    }

    [Theory]
    [InlineData("server", "--interface", "nosuch0", "--listen", "127.0.0.1:47999", "--insecure")]
    [InlineData("client", "--interface", "nosuch0", "--server", "127.0.0.1:9", "--insecure")]
    [InlineData("-interface", "nosuch0", "-mode", "server", "-address", "127.0.0.1:47999")]
    public void NonexistentInterfaceIsARuntimeErrorOnOneLine(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(ExitCodes.RuntimeError, r.ExitCode);
        // Legacy mode states first that it is unencrypted; the error is still its own single line.
        var errors = ErrorLines(r).Where(l => !l.Contains("warning:")).ToArray();
        Assert.Equal("pppoeproxy: interface 'nosuch0' does not exist", Assert.Single(errors));
        Assert.DoesNotContain("   at ", r.Error);
    }

    [RootFact]
    public void AListenPortInUseIsARuntimeErrorNamingTheAddress()
    {
        // The socket's text alone ("Address already in use") left an admin with several proxies guessing which port.
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        int port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;
        var r = CliRunner.Run("server", "--interface", "lo", "--listen", $"127.0.0.1:{port}", "--insecure", "--status-socket", "none");
        Assert.Equal(ExitCodes.RuntimeError, r.ExitCode);
        Assert.Equal($"pppoeproxy: --listen 127.0.0.1:{port}: Address already in use", Assert.Single(ErrorLines(r)));
    }

    private static string[] ErrorLines(CliResult r) => r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
