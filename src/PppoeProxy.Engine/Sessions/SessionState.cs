namespace PppoeProxy.Engine.Sessions;

/// <summary>Where a session is in its life: discovery, data, or ended by a PADT.</summary>
public enum SessionState { Discovering, Established, Terminated }
