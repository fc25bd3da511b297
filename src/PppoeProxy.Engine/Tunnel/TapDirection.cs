namespace PppoeProxy.Engine.Tunnel;

/// <summary>Which way a tapped frame was going.</summary>
public enum TapDirection { FromLan, FromTunnel, FromAc }
