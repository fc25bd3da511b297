using Xunit;

namespace PppoeProxy.Tests.Integration;

/// <summary>A [Theory] with [RootFact]'s conditions: skipped, not failed, where the netns lab cannot run.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        if (LabEnvironment.SkipReason() is { } reason) Skip = reason;
    }
}
