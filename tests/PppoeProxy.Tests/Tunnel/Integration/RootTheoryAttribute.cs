using PppoeProxy.Tests.Lab;
using Xunit;

namespace PppoeProxy.Tests.Tunnel.Integration;

/// <summary>A [Theory] with [RootFact]'s conditions: skipped, not failed, where the netns lab cannot run.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        if (LabEnvironment.SkipReason() is { } reason) Skip = reason;
    }
}
