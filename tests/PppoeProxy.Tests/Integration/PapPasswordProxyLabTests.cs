using PppoeProxy.Tests.Cli;
using Xunit;

namespace PppoeProxy.Tests.Integration;

/// <summary>
/// Issue 13's done-when, the half the codec tests cannot see: a real PAP login (rp-pppoe, the lab's peer
/// sends user "user", password "secret") through both proxy ends logging at Trace, then every log line
/// and both status JSONs are searched for the password. Plain text tunnel, so the frames are in clear.
/// </summary>
[Collection(TunnelLabCollection.Name)]
public sealed class PapPasswordProxyLabTests
{
    private const string Password = "secret";

    [RootFact]
    public void NoProxyLogOrStatusShowsThePapPassword()
    {
        using var t = new TunnelLab();
        var serverSocket = Path.Combine(t.Dir, "server.sock");
        var clientSocket = Path.Combine(t.Dir, "client.sock");
        var server = t.StartServer(Wire.Insecure, extra: new[] { "--status-socket", serverSocket, "--log-level", "Trace" });
        var client = t.ConnectClient(Wire.Insecure, extra: new[] { "--status-socket", clientSocket, "--log-level", "Trace", "--stats", "1" });
        var session = t.Lab.Dial(pap: true);
        Thread.Sleep(1500); // a stats line after the login

        var outputs = new List<(string Where, string Text)>
        {
            ("server log", server.Stderr + string.Join('\n', server.StdoutLines)),
            ("client log", client.Stderr + string.Join('\n', client.StdoutLines)),
        };
        foreach (var (name, socket) in new[] { ("server", serverSocket), ("client", clientSocket) })
        {
            var json = CliRunner.Run("status", "--socket", socket, "--json");
            var text = CliRunner.Run("status", "--socket", socket);
            Assert.True(json.ExitCode == 0 && text.ExitCode == 0, json.Error + text.Error);
            outputs.Add(($"{name} status --json", json.Out));
            outputs.Add(($"{name} status", text.Out));
            // Real output: the session is there (else an empty status would pass).
            Assert.Contains($"{session.SessionId}", json.Out);
        }
        // The login happened: the AC's peer logged the PAP exchange.
        Assert.Contains("PAP", t.Lab.Logs());
        foreach (var (where, text) in outputs)
            Assert.False(text.Contains(Password, StringComparison.Ordinal), $"the PAP password appears in the {where}:\n{text}");
    }
}
