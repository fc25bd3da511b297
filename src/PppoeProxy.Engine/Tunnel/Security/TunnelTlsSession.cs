using System.Net.Security;
using System.Security.Authentication;

namespace PppoeProxy.Engine.Tunnel.Security;

/// <summary>An authenticated tunnel stream and who is at the other end.</summary>
public sealed record TunnelTlsSession(SslStream Stream, string PeerFingerprint);
