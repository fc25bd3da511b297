using System.Net;
using PppoeProxy.Engine.Tunnel.Limits;
using Xunit;

namespace PppoeProxy.Tests.Tunnel.Limits;

/// <summary>Handshake and tunnel slots, in total and per source (IPv4 address, IPv6 /64).</summary>
public class ConnectionLimiterTests
{
    private static readonly IPAddress Attacker = IPAddress.Parse("192.0.2.66");
    private static readonly IPAddress Legit = IPAddress.Parse("198.51.100.7");

    private static ConnectionLimiter Limiter(double roll = 0.5) =>
        new(new HandshakeLimit(8, 30, 16), handshakesPerSource: 4, tunnels: 6, tunnelsPerSource: 4, roll: () => roll);

    [Fact]
    public void OneSourceGetsItsShareOfHandshakesAndTheNextSourceStillGetsIn()
    {
        var limits = Limiter();
        for (int i = 0; i < 4; i++) Assert.Equal(AdmissionVerdict.Admitted, limits.TryBeginHandshake(Attacker));
        for (int i = 0; i < 100; i++) Assert.Equal(AdmissionVerdict.HandshakesPerSource, limits.TryBeginHandshake(Attacker));
        Assert.Equal(AdmissionVerdict.Admitted, limits.TryBeginHandshake(Legit));
        Assert.Equal(5, limits.PendingHandshakes);
    }

    [Fact]
    public void ManySourcesHitTheRandomEarlyDropAndThenTheHardLimit()
    {
        var alwaysDrop = Limiter(roll: 0.0);
        int admitted = 0;
        for (int i = 0; i < 40; i++)
            if (alwaysDrop.TryBeginHandshake(IPAddress.Parse($"10.0.0.{i + 1}")) == AdmissionVerdict.Admitted) admitted++;
        Assert.Equal(8, admitted); // the roll always loses from START on

        var neverDrop = Limiter(roll: 0.999);
        admitted = 0;
        for (int i = 0; i < 40; i++)
            if (neverDrop.TryBeginHandshake(IPAddress.Parse($"10.0.0.{i + 1}")) == AdmissionVerdict.Admitted) admitted++;
        Assert.Equal(16, admitted); // FULL refuses whatever the roll
        Assert.Equal(AdmissionVerdict.HandshakesEarlyDrop, neverDrop.TryBeginHandshake(Legit));
    }

    [Fact]
    public void TunnelsAreLimitedPerSourceAndInTotal()
    {
        var limits = Limiter();
        for (int i = 0; i < 4; i++) Assert.Equal(AdmissionVerdict.Admitted, limits.TryAddTunnel(Attacker));
        Assert.Equal(AdmissionVerdict.TunnelsPerSource, limits.TryAddTunnel(Attacker));
        Assert.Equal(AdmissionVerdict.Admitted, limits.TryAddTunnel(Legit));
        Assert.Equal(AdmissionVerdict.Admitted, limits.TryAddTunnel(IPAddress.Parse("203.0.113.1")));
        Assert.Equal(AdmissionVerdict.TunnelsTotal, limits.TryAddTunnel(IPAddress.Parse("203.0.113.2")));
        limits.RemoveTunnel(Attacker);
        Assert.Equal(AdmissionVerdict.Admitted, limits.TryAddTunnel(IPAddress.Parse("203.0.113.2")));
    }

    [Fact]
    public void AnIpv6Slash64IsOneSourceAndAMappedIpv4AddressIsItsIpv4Source()
    {
        var limits = Limiter();
        for (int i = 1; i <= 4; i++) Assert.Equal(AdmissionVerdict.Admitted, limits.TryAddTunnel(IPAddress.Parse($"2001:db8:1:2::{i:x}")));
        Assert.Equal(AdmissionVerdict.TunnelsPerSource, limits.TryAddTunnel(IPAddress.Parse("2001:db8:1:2:ffff::9")));
        Assert.Equal(AdmissionVerdict.Admitted, limits.TryAddTunnel(IPAddress.Parse("2001:db8:1:3::1")));

        for (int i = 0; i < 4; i++) Assert.Equal(AdmissionVerdict.Admitted, limits.TryBeginHandshake(Attacker));
        Assert.Equal(AdmissionVerdict.HandshakesPerSource, limits.TryBeginHandshake(Attacker.MapToIPv6()));
    }

    [Fact]
    public void TheTableForgetsASourceOnceItHasNothingLeft()
    {
        var limits = Limiter();
        for (int i = 0; i < 1000; i++)
        {
            var source = IPAddress.Parse($"10.{i / 250}.{i % 250}.1");
            Assert.Equal(AdmissionVerdict.Admitted, limits.TryBeginHandshake(source));
            limits.TryAddTunnel(source);
            limits.EndHandshake(source);
            limits.RemoveTunnel(source);
            limits.RemoveTunnel(source); // a second release must not go negative
        }
        Assert.Equal(0, limits.TrackedSources);
        Assert.Equal(0, limits.PendingHandshakes);
        Assert.Equal(0, limits.EstablishedTunnels);
    }
}
