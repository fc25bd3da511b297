using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Protocol;
using Xunit;

namespace PppoeProxy.Tests.Guard;

/// <summary>The watcher's re-sent PADIs: after the PADT, not with it; until the AC offers; bounded.</summary>
public sealed class PadiResendTests
{
    private static readonly MacAddress Client = MacAddress.Parse("02:cc:00:00:00:03");

    private static List<long> SendTimes(PadiResend resend, long untilMs, Action<long>? at = null)
    {
        var sent = new List<long>();
        for (long now = 0; now <= untilMs; now += 50)
        {
            at?.Invoke(now);
            resend.SendDue(now, _ => { sent.Add(now); return null; }, (_, _) => { });
        }
        return sent;
    }

    [Fact]
    public void SentAQuarterSecondAfterThePadtThenAgainUntilTwoSeconds()
    {
        var resend = new PadiResend();
        Assert.True(resend.Add(new byte[] { 1, 2, 3 }, Client, 0));
        Assert.Equal(new long[] { 250, 1000, 2000 }, SendTimes(resend, 5000));
    }

    [Fact]
    public void ThePadoToTheClientStopsTheRepeats()
    {
        var resend = new PadiResend();
        resend.Add(new byte[] { 1 }, Client, 0);
        Assert.Equal(new long[] { 250 }, SendTimes(resend, 5000, at: now => { if (now == 400) resend.Answered(Client); }));
    }

    [Fact]
    public void AtMostMaxPendingWait()
    {
        var resend = new PadiResend();
        for (int i = 0; i < PadiResend.MaxPending; i++) Assert.True(resend.Add(new byte[] { 1 }, new MacAddress((ulong)i + 1), 0));
        Assert.False(resend.Add(new byte[] { 1 }, new MacAddress(999), 0));
        // The same client again replaces its entry instead of taking another.
        Assert.True(resend.Add(new byte[] { 2 }, new MacAddress(1), 0));
    }
}
