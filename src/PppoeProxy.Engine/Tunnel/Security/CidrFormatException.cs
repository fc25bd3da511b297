namespace PppoeProxy.Engine.Tunnel.Security;

/// <summary>A bad allow-list entry; the message names the entry and the rule it breaks.</summary>
public sealed class CidrFormatException : FormatException
{
    public CidrFormatException(string message) : base(message) { }
}
