namespace PppoeProxy.Tests; public class SmokeTests { [Xunit.Fact] public void EngineLoads() => Xunit.Assert.Equal("PppoeProxy", PppoeProxy.Engine.EngineInfo.Name); }
