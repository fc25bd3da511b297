namespace PppoeProxy.Engine.Sessions;

/// <summary>How the client and AC roles of a session were decided, weakest first.</summary>
public enum RoleConfidence
{
    /// <summary>No evidence: the PADT goes both ways.</summary>
    Unknown,
    /// <summary>One side sends LCP Echo-Requests that nobody answers: that side is the AC.</summary>
    Guessed,
    /// <summary>PPP authentication roles (PAP request, CHAP challenge/response).</summary>
    Likely,
    /// <summary>Seen in discovery (PADO/PADS sender), or one MAC belongs to this host.</summary>
    Certain,
}
