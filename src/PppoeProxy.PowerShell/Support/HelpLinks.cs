namespace PppoeProxy.PowerShell.Support;

/// <summary>
/// Get-Help -Online targets: the markdown help in the repository. One base so a move of the
/// repository is a one-line change.
/// </summary>
internal static class HelpLinks
{
    private const string Base = "https://github.com/pppoeproxy/pppoeproxy/blob/main/help/";
    public const string ExportPppoeFrame = Base + "Export-PppoeFrame.md";
    public const string FindPppoeServer = Base + "Find-PppoeServer.md";
    public const string GetPppoeFrame = Base + "Get-PppoeFrame.md";
    public const string GetPppoeSession = Base + "Get-PppoeSession.md";
    public const string NewPppoeProxyCertificate = Base + "New-PppoeProxyCertificate.md";
    public const string SendPppoePadt = Base + "Send-PppoePadt.md";
    public const string StartPppoeGuard = Base + "Start-PppoeGuard.md";
    public const string StartPppoeProxyClient = Base + "Start-PppoeProxyClient.md";
    public const string StartPppoeProxyServer = Base + "Start-PppoeProxyServer.md";
}
