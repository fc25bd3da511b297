using System.Buffers.Binary;
using System.Text;

namespace PppoeProxy.Engine.Protocol;

/// <summary>
/// Decodes the body of an LCP, IPCP, IPv6CP, PAP or CHAP packet for the user-facing objects. It
/// allocates, so only <see cref="PppoeFrame.FromView"/> calls it; the forwarding path stops at the
/// control header that <see cref="FrameView"/> checks.
/// </summary>
public static class PppControlDecoder
{
    /// <summary>What the decoder found wrong: an error (a field runs past the packet) or a warning (an option of the wrong length).</summary>
    public readonly record struct Problems(string? Error, string? Warning);

    /// <summary>
    /// Decodes <paramref name="packet"/> (code onward, the header already checked by <see cref="FrameView"/>).
    /// Fields must fit the packet's Length field (RFC 1661: octets past it are padding);
    /// <paramref name="bound"/> overrides that limit (tshark reads up to the end of the PPPoE payload).
    /// </summary>
    public static PppInfo Decode(ushort protocol, ReadOnlySpan<byte> packet, out Problems problems, int? bound = null)
    {
        byte code = packet[0];
        // FrameView has checked 4 <= Length <= packet; clamp anyway so a caller's bad input cannot throw.
        int length = Math.Clamp(BinaryPrimitives.ReadUInt16BigEndian(packet[2..]), 4, packet.Length);
        var body = packet[..Math.Min(packet.Length, bound ?? length)][4..];
        string? error = null, warning = null;
        IReadOnlyList<PppOption>? options = null;
        uint? magic = null;
        PapInfo? pap = null;
        ChapInfo? chap = null;
        switch (protocol)
        {
            case PppProtocols.Lcp or PppProtocols.Ipcp or PppProtocols.Ipv6cp when code is >= 1 and <= 4:
                options = Options(protocol, packet[4..length], out error, out warning);
                break;
            case PppProtocols.Lcp when code is 9 or 10 or 11 or 12 or 13:
                int need = code == 13 ? 8 : 4;   // Time-Remaining adds a 4-octet seconds field
                if (body.Length < need) error = $"LCP {PppProtocols.CodeName(protocol, code)} too short for its magic number{(code == 13 ? " and seconds" : "")} ({length} bytes)";
                else magic = BinaryPrimitives.ReadUInt32BigEndian(body);
                break;
            case PppProtocols.Lcp when code == 0:
                if (body.Length < 8) error = $"LCP Vendor-Specific too short for its magic number, OUI and kind ({length} bytes)";
                break;
            case PppProtocols.Lcp when code == 8:
                if (body.Length < 2) error = $"LCP Protocol-Reject without the rejected protocol ({length} bytes)";
                break;
            case PppProtocols.Pap:
                pap = Pap(code, body, out error);
                break;
            case PppProtocols.Chap:
                chap = Chap(code, body, out error);
                break;
        }
        problems = new Problems(error, warning);
        return new PppInfo
        {
            Protocol = protocol, Code = code, Identifier = packet[1], Length = length,
            Options = options, MagicNumber = magic, Pap = pap, Chap = chap,
        };
    }

    /// <summary>
    /// Walks the options. A length octet that overruns the options ends the walk with a warning (the
    /// options before it still show); an option too short for a field every reader takes is an error.
    /// </summary>
    private static List<PppOption> Options(ushort protocol, ReadOnlySpan<byte> data, out string? error, out string? warning)
    {
        var options = new List<PppOption>();
        error = warning = null;
        int at = 0;
        while (at < data.Length)
        {
            byte type = data[at];
            string name = OptionName(protocol, type);
            if (at + 1 == data.Length) { warning = $"{name} option has no length octet"; break; }
            int optionLength = data[at + 1];
            if (optionLength < 2) { warning = $"{name} option length {optionLength} is too short"; break; }
            if (at + optionLength > data.Length) { warning = $"{name} option length {optionLength} runs past the options"; break; }
            var rule = OptionRule(protocol, type);
            var wrong = rule.Check(optionLength);
            var value = data.Slice(at + 2, optionLength - 2);
            if (wrong is null)
            {
                var (inner, odd) = OptionBodyCheck.Check(protocol, type, name, value);
                if (inner is not null) { error = inner; break; }
                warning ??= odd;
                options.Add(new PppOption(type, name, optionLength, OptionValue(protocol, type, value)));
            }
            else if (rule.ShortIsMalformed) { error = $"{PppProtocols.Name(protocol)} {name} option {wrong}"; break; }
            else
            {
                warning ??= $"{name} option {wrong}";
                options.Add(new PppOption(type, name, optionLength, null));
            }
            at += optionLength;
        }
        return options;
    }

    private static string OptionName(ushort protocol, byte type) => protocol switch
    {
        PppProtocols.Lcp => LcpOptions.Name(type),
        PppProtocols.Ipcp => IpcpOptions.Name(type),
        _ => Ipv6cpOptions.Name(type),
    };

    private static PppOptionRule OptionRule(ushort protocol, byte type) => protocol switch
    {
        PppProtocols.Lcp => LcpOptions.Rule(type),
        PppProtocols.Ipcp => IpcpOptions.Rule(type),
        _ => Ipv6cpOptions.Rule(type),
    };

    private static string? OptionValue(ushort protocol, byte type, ReadOnlySpan<byte> value) => protocol switch
    {
        PppProtocols.Lcp => LcpOptions.Value(type, value),
        PppProtocols.Ipcp => IpcpOptions.Value(type, value),
        _ => Ipv6cpOptions.Value(type, value),
    };

    /// <summary>Peer-ID and the password's length, or the Ack/Nak message. The password octets are never read.</summary>
    private static PapInfo? Pap(byte code, ReadOnlySpan<byte> body, out string? error)
    {
        error = null;
        if (code == PppProtocols.PapAuthenticateRequest)
        {
            if (body.Length < 1) { error = "PAP Authenticate-Request without a Peer-ID length"; return null; }
            int peerLength = body[0];
            if (1 + peerLength > body.Length) { error = $"PAP Peer-ID length {peerLength} runs past the packet"; return null; }
            var peerId = Text(body.Slice(1, peerLength));
            if (1 + peerLength == body.Length) { error = "PAP Authenticate-Request without a password length"; return new PapInfo { PeerId = peerId }; }
            int passwordLength = body[1 + peerLength];
            if (2 + peerLength + passwordLength > body.Length) error = $"PAP password length {passwordLength} runs past the packet";
            return new PapInfo { PeerId = peerId, PasswordLength = passwordLength };
        }
        if (code is 2 or 3)
        {
            if (body.Length < 1) { error = $"PAP {PppProtocols.CodeName(PppProtocols.Pap, code)} without a message length"; return null; }
            int messageLength = body[0];
            if (1 + messageLength > body.Length) { error = $"PAP message length {messageLength} runs past the packet"; return null; }
            return new PapInfo { Message = Text(body.Slice(1, messageLength)) };
        }
        return null;
    }

    /// <summary>Value size and name of a Challenge/Response (RFC 1994 4.1), or the Success/Failure message.</summary>
    private static ChapInfo? Chap(byte code, ReadOnlySpan<byte> body, out string? error)
    {
        error = null;
        if (code is PppProtocols.ChapChallenge or PppProtocols.ChapResponse)
        {
            if (body.Length < 1) { error = $"CHAP {PppProtocols.CodeName(PppProtocols.Chap, code)} without a Value-Size"; return null; }
            int valueSize = body[0];
            if (1 + valueSize > body.Length) { error = $"CHAP Value-Size {valueSize} runs past the packet"; return null; }
            return new ChapInfo { ValueLength = valueSize, Name = Text(body[(1 + valueSize)..]) };
        }
        if (code is 3 or 4) return new ChapInfo { Message = Text(body) };
        return null;
    }

    /// <summary>Names and messages as text a terminal and a log line can take: control characters become '.'.</summary>
    private static string Text(ReadOnlySpan<byte> bytes)
    {
        var text = Encoding.UTF8.GetString(bytes).ToCharArray();
        for (int i = 0; i < text.Length; i++)
            if (char.IsControl(text[i])) text[i] = '.';
        return new string(text);
    }
}
