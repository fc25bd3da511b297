using Microsoft.Extensions.Logging.Abstractions;
using PppoeProxy.Engine.Capture;
using PppoeProxy.Engine.Guard;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using Xunit;

namespace PppoeProxy.Tests.Guard;

/// <summary>
/// What the standalone watcher lets the guard send, without a network: a watcher never started has no
/// capture, so a send it lets through fails with "not started" instead of going out.
/// </summary>
public sealed class GuardWatcherActionsTests
{
    private static readonly MacAddress Ac = MacAddress.Parse("02:aa:00:00:00:01");
    private static readonly MacAddress Remote = MacAddress.Parse("02:bb:00:00:00:02");

    private static IGuardActions Watcher(bool dryRun = false) =>
        new GuardWatcher(GuardWatcherOptions.From("lo", null, dryRun), NullLogger.Instance);

    private static byte[] Probe(MacAddress client) =>
        PppoeFrame.Session(Ac, client, 7, new byte[] { 0xC0, 0x21, 9, 1, 0, 8, 0, 0, 0, 0 }).ToBytes();

    private static byte[] Padt(MacAddress client) => PadtForge.Padt(client, Ac, 7).ToBytes();

    [Fact]
    public void AProbeToAClientOnThisHostIsNotSent()
    {
        // It would leave the host and never reach the local client; the guard then sends no PADT on silence
        // alone (GhostGuardTests.SendsNoPadtWhenNoProbeCouldReachTheClient).
        var local = NetworkInterfaces.LocalMacs().FirstOrDefault(m => m != MacAddress.Zero);
        Assert.True(local != MacAddress.Zero, "this host has no interface with a MAC");
        var actions = Watcher();
        Assert.Contains("is this host", actions.SendTowardClient(Probe(local)));
    }

    [Fact]
    public void AProbeToAnotherHostsClientAndItsPadtGoToTheCapture()
    {
        var actions = Watcher();
        Assert.Contains("not started", actions.SendTowardClient(Probe(Remote)));
        Assert.Contains("not started", actions.SendTowardAc(Padt(Remote)));
    }

    [Fact]
    public void ADryRunSendsNothingTowardTheAcButStillProbes()
    {
        var actions = Watcher(dryRun: true);
        Assert.Equal("dry run: not sent", actions.SendTowardAc(Padt(Remote)));
        var padi = PppoeFrame.Discovery(PppoeCode.PADI, Remote, MacAddress.Broadcast, 0, Array.Empty<PppoeTag>()).ToBytes();
        Assert.Equal("dry run: not sent", actions.SendTowardAc(padi));
        Assert.Contains("not started", actions.SendTowardClient(Probe(Remote))); // let through: the verdicts depend on it
    }
}
