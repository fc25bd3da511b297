namespace PppoeProxy.Cli;

/// <summary>
/// Killing a session is destructive: without --yes someone at a terminal must say yes.
/// A script with no terminal and no --yes gets a refusal, never a silent send.
/// </summary>
public static class Consent
{
    public static bool Ask(Console2 io, string question)
    {
        if (!io.Interactive)
        {
            io.Error.WriteLine("pppoeproxy: refusing to send: no terminal to confirm on; add --yes to send without asking");
            return false;
        }
        io.Out.Write($"{question} [y/N] ");
        io.Out.Flush();
        var answer = io.In.ReadLine()?.Trim();
        bool yes = answer is not null && (answer.Equals("y", StringComparison.OrdinalIgnoreCase) || answer.Equals("yes", StringComparison.OrdinalIgnoreCase));
        if (!yes) io.Error.WriteLine("pppoeproxy: not confirmed; nothing sent");
        return yes;
    }
}
