namespace PppoeProxy.Engine.Protocol;

/// <summary>
/// A frame's bytes for display (hex in PowerShell objects, JSON, CSV) with the password of a PAP
/// Authenticate-Request overwritten by '*': the one secret PPP sends in clear must not reach any
/// output. Files written from live frames (Export-PppoeFrame, frames --write) keep the captured bytes,
/// as tcpdump -w does.
/// </summary>
public static class PapRedaction
{
    private const byte Mask = (byte)'*';

    /// <summary>A copy of <paramref name="frame"/>, with any PAP password masked; the length is unchanged.</summary>
    public static byte[] Redact(ReadOnlySpan<byte> frame)
    {
        var copy = frame.ToArray();
        var view = FrameView.Parse(copy);
        if (!view.IsSessionStage || !view.HasPppControlHeader || view.PppProtocol != PppProtocols.Pap
            || view.PppCode != PppProtocols.PapAuthenticateRequest)
            return copy;
        // PPP control header (code, id, length), then Peer-ID length, Peer-ID, Password length, Password.
        int body = view.PayloadOffset + view.PppProtocolFieldSize + 4;
        int end = view.PayloadOffset + view.PayloadAvailable;
        if (body >= end) return copy;
        int passwordLengthAt = body + 1 + copy[body];
        if (passwordLengthAt >= end) return copy;
        // Mask to the payload's end even when the length octet says less: nothing past it is ours to show.
        copy.AsSpan(passwordLengthAt + 1, end - passwordLengthAt - 1).Fill(Mask);
        return copy;
    }
}
