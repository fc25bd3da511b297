using System.Management.Automation;
using PppoeProxy.Engine.Operations;
using PppoeProxy.Engine.Protocol;
using PppoeProxy.Engine.Sessions;
using PppoeProxy.PowerShell.Support;

namespace PppoeProxy.PowerShell.Commands;

/// <summary>
/// Send-PppoePadt: ends a (ghost) session by sending a PADT forged from the client's MAC to the AC.
/// Binds sessions from the pipeline by property name; High impact, so it asks first.
/// </summary>
[Cmdlet(VerbsCommunications.Send, "PppoePadt", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.SendPppoePadt)]
[OutputType(typeof(PppoeFrameInfo))]
public sealed class SendPppoePadtCommand : PppoeCmdlet
{
    /// <summary>Sessions read from a file have none: ProcessRecord then asks for -Interface by name.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(InterfaceCompleter))]
    [AllowNull]
    [AllowEmptyString]
    public string? Interface { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    // Both bounds int: ValidateRange wants one type for both.
    [ValidateRange(1, (int)PadtForge.MaxSessionId)]
    public int SessionId { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateMacAddress]
    public string ClientMac { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateMacAddress]
    public string ServerMac { get; set; } = "";

    /// <summary>One id (802.1Q) or two (outer 802.1ad, inner 802.1Q).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("VlanIds")]
    [VlanIdTransformation]
    [ValidateCount(0, 2)]
    [ValidateRange(0, 4095)]
    public int[] VlanId { get; set; } = Array.Empty<int>();

    /// <summary>From a piped session: Unknown means the AC side is a guess, so the PADT goes both ways.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public RoleConfidence RoleConfidence { get; set; } = RoleConfidence.Certain;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Message { get; set; }

    [Parameter]
    public SwitchParameter LcpTerminate { get; set; }

    /// <summary>Also send a PADT to the client, forged from the AC's MAC.</summary>
    [Parameter]
    public SwitchParameter BothWays { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (string.IsNullOrEmpty(Interface))
        {
            WriteError(new ErrorRecord(new ArgumentException(
                    $"session {SessionId} has no interface (sessions read from a capture file do not): add -Interface NAME, the LAN where the AC is"),
                "InterfaceRequired", ErrorCategory.InvalidArgument, SessionId));
            return;
        }
        var request = new PadtRequest
        {
            Interface = Interface!,
            SessionId = (ushort)SessionId,
            ClientMac = ParameterChecks.ParseMac(ClientMac),
            ServerMac = ParameterChecks.ParseMac(ServerMac),
            VlanTags = VlanTag.FromIds(VlanId),
            Message = Message,
            LcpTerminate = LcpTerminate.IsPresent,
            TowardClient = BothWays.IsPresent || RoleConfidence == RoleConfidence.Unknown,
        };
        var vlans = VlanId.Length == 0 ? "" : $" vlan {string.Join('.', VlanId)}";
        var target = $"session {SessionId} on {Interface}{vlans} (client {request.ClientMac}, AC {request.ServerMac})";
        var action = (request.LcpTerminate ? "Send LCP Terminate-Request and PADT" : "Send PADT")
            + (request.TowardClient ? " both ways" : " to the AC");
        if (!ShouldProcess(target, action)) return;
        try
        {
            var frames = PadtSending.Send(request, StopToken);
            WriteVerbose($"sent {frames.Count} frame(s) for {target}");
            if (PassThru.IsPresent) WriteObject(frames.Select(f => new PppoeFrameInfo(f)), enumerateCollection: true);
        }
        catch (Exception e) when (IsEngineFailure(e))
        {
            // Non-terminating: one failed session must not stop the rest of the pipeline.
            WriteEngineError(e, "PadtSendFailed", target);
        }
    }
}
