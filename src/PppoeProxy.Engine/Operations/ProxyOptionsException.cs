namespace PppoeProxy.Engine.Operations;

/// <summary>
/// A value the user gave is not acceptable. <see cref="Option"/> is the setting's neutral name
/// ("grace", "listen"); <see cref="Problem"/> may name settings as {name}. Front ends spell the
/// names their way (--grace, -GracePeriod) with <see cref="Describe"/> and report a usage error.
/// </summary>
public sealed class ProxyOptionsException(string option, string problem) : ArgumentException(Spell(option, problem, name => name))
{
    public string Option { get; } = option;
    public string Problem { get; } = problem;

    /// <summary>The one line, every setting named as the front end spells it.</summary>
    public string Describe(Func<string, string> spell) => Spell(Option, Problem, spell);

    private static string Spell(string option, string problem, Func<string, string> spell)
    {
        var text = problem.Contains('{' + option + '}') ? problem : $"{{{option}}}: {problem}";
        foreach (var name in ProxySettingNames.All) text = text.Replace('{' + name + '}', spell(name));
        return text;
    }
}
