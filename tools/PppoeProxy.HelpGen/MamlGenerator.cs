using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace PppoeProxy.HelpGen;

/// <summary>
/// Our small platyPS replacement: markdown help to the MAML file PowerShell reads
/// (PppoeProxy.PowerShell.dll-Help.xml). The build runs it so the module needs no platyPS or pwsh;
/// the committed copy under en-US/ is checked against it by a test.
/// </summary>
public static class MamlGenerator
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public static CmdletHelp ParseMarkdown(string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        string name = lines.First(l => l.StartsWith("# ")).Substring(2).Trim();
        var sections = SplitBy(lines, "## ");
        string Text(string key) => sections.TryGetValue(key, out var body) ? Paragraphs(body) : "";

        var examples = SplitByOrdered(sections.GetValueOrDefault("EXAMPLES", Array.Empty<string>()), "### ")
            .Select(e => ParseExample(e.Key, e.Value)).ToList();
        var parameters = SplitByOrdered(sections.GetValueOrDefault("PARAMETERS", Array.Empty<string>()), "### ")
            .Where(p => p.Key.StartsWith('-')).Select(p => ParseParameter(p.Key[1..], p.Value)).ToList();
        return new CmdletHelp(name, Text("SYNOPSIS"), Text("DESCRIPTION"), examples, parameters,
            TypedList(sections.GetValueOrDefault("INPUTS")), TypedList(sections.GetValueOrDefault("OUTPUTS")), Text("NOTES"));
    }

    /// <summary>The whole MAML document for the given markdown files, cmdlets in name order.</summary>
    public static string Generate(IEnumerable<string> markdownFiles)
    {
        var helps = markdownFiles.Select(f => ParseMarkdown(File.ReadAllText(f))).OrderBy(h => h.Name, StringComparer.Ordinal);
        var root = new XElement(Msh + "helpItems", new XAttribute("schema", "maml"),
            helps.Select(ToCommand));
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", NewLineChars = "\n", Encoding = new UTF8Encoding(false) };
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, settings)) new XDocument(new XDeclaration("1.0", "utf-8", null), root).Save(writer);
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static XElement ToCommand(CmdletHelp help)
    {
        var (verb, noun) = (help.Name.Split('-')[0], help.Name[(help.Name.IndexOf('-') + 1)..]);
        var sets = help.Parameters.SelectMany(p => p.Sets).Where(s => s != "(All)").Distinct().ToList();
        if (sets.Count == 0) sets.Add("(All)");
        return new XElement(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml), new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XElement(Command + "details",
                new XElement(Command + "name", help.Name), new XElement(Command + "verb", verb), new XElement(Command + "noun", noun),
                Description(help.Synopsis)),
            Description(help.Description),
            new XElement(Command + "syntax", sets.Select(set => new XElement(Command + "syntaxItem",
                new XElement(Maml + "name", help.Name),
                help.Parameters.Where(p => set == "(All)" || p.Sets.Contains("(All)") || p.Sets.Contains(set)).Select(ToParameter)))),
            new XElement(Command + "parameters", help.Parameters.Select(ToParameter)),
            new XElement(Command + "inputTypes", help.Inputs.Select(i => new XElement(Command + "inputType",
                new XElement(Dev + "type", new XElement(Maml + "name", i.Type)), Description(i.Text)))),
            new XElement(Command + "returnValues", help.Outputs.Select(o => new XElement(Command + "returnValue",
                new XElement(Dev + "type", new XElement(Maml + "name", o.Type)), Description(o.Text)))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paras(help.Notes))),
            new XElement(Command + "examples", help.Examples.Select(e => new XElement(Command + "example",
                new XElement(Maml + "title", $"-------------------------- {e.Title} --------------------------"),
                new XElement(Dev + "code", e.Code),
                new XElement(Dev + "remarks", Paras(e.Remarks))))),
            new XElement(Command + "relatedLinks", new XElement(Maml + "navigationLink",
                new XElement(Maml + "linkText", "about_PppoeProxy"), new XElement(Maml + "uri", ""))));
    }

    private static XElement ToParameter(HelpParameter p)
    {
        bool isSwitch = p.Type == "SwitchParameter";
        return new XElement(Command + "parameter",
            new XAttribute("required", p.Required ? "true" : "false"),
            new XAttribute("variableLength", p.Type.EndsWith("[]") ? "true" : "false"),
            new XAttribute("globbing", p.Wildcards ? "true" : "false"),
            new XAttribute("pipelineInput", p.PipelineInput),
            new XAttribute("position", p.Position.Equals("Named", StringComparison.OrdinalIgnoreCase) ? "named" : p.Position),
            new XAttribute("aliases", string.IsNullOrEmpty(p.Aliases) ? "none" : p.Aliases),
            new XElement(Maml + "name", p.Name),
            Description(p.Description),
            isSwitch ? null : new XElement(Command + "parameterValue", new XAttribute("required", "true"),
                new XAttribute("variableLength", "false"), p.Type),
            new XElement(Dev + "type", new XElement(Maml + "name", p.Type), new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue", p.DefaultValue));
    }

    private static XElement Description(string text) => new(Maml + "description", Paras(text));

    private static IEnumerable<XElement> Paras(string text) =>
        text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => new XElement(Maml + "para", p));

    private static HelpExample ParseExample(string heading, string[] body)
    {
        int open = Array.FindIndex(body, l => l.StartsWith("```"));
        int close = open < 0 ? -1 : Array.FindIndex(body, open + 1, l => l.StartsWith("```"));
        var code = open < 0 || close < 0 ? "" : string.Join("\n", body[(open + 1)..close]);
        var remarks = Paragraphs(close < 0 ? body : body[(close + 1)..]);
        return new HelpExample(heading.Trim(), code, remarks);
    }

    private static HelpParameter ParseParameter(string name, string[] body)
    {
        int open = Array.FindIndex(body, l => l.StartsWith("```yaml"));
        var description = Paragraphs(open < 0 ? body : body[..open]);
        var yaml = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in open < 0 ? Array.Empty<string>() : body[(open + 1)..].TakeWhile(l => !l.StartsWith("```")))
        {
            int colon = line.IndexOf(':');
            if (colon > 0) yaml[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        string Get(string key, string fallback) => yaml.TryGetValue(key, out var v) && v.Length > 0 ? v : fallback;
        return new HelpParameter(name, description, Get("Type", "Object"),
            Get("Parameter Sets", "(All)").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            Get("Aliases", ""), Get("Required", "False").Equals("True", StringComparison.OrdinalIgnoreCase),
            Get("Position", "Named"), Get("Default value", "None"), Get("Accept pipeline input", "False"),
            Get("Accept wildcard characters", "False").Equals("True", StringComparison.OrdinalIgnoreCase));
    }

    private static IReadOnlyList<(string, string)> TypedList(string[]? body) => body is null
        ? Array.Empty<(string, string)>()
        : SplitByOrdered(body, "### ").Select(t => (t.Key.Trim(), Paragraphs(t.Value))).ToList();

    /// <summary>Headings with the given prefix and the lines under each, in order (an ordered list of pairs).</summary>
    private static List<KeyValuePair<string, string[]>> SplitByOrdered(string[] lines, string prefix)
    {
        var result = new List<KeyValuePair<string, string[]>>();
        string? current = null;
        var body = new List<string>();
        bool inFence = false;
        foreach (var line in lines)
        {
            if (line.StartsWith("```")) inFence = !inFence;
            if (!inFence && line.StartsWith(prefix))
            {
                if (current is not null) result.Add(new(current, body.ToArray()));
                current = line[prefix.Length..].Trim();
                body.Clear();
            }
            else if (current is not null) body.Add(line);
        }
        if (current is not null) result.Add(new(current, body.ToArray()));
        return result;
    }

    private static Dictionary<string, string[]> SplitBy(string[] lines, string prefix) =>
        SplitByOrdered(lines, prefix).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.First().Value);

    /// <summary>Lines joined into paragraphs (blank line separated), markdown links reduced to their text.</summary>
    private static string Paragraphs(IEnumerable<string> lines)
    {
        var text = string.Join("\n", lines).Trim();
        text = Regex.Replace(text, @"\n{3,}", "\n\n");
        text = Regex.Replace(text, @"\[([^\]]+)\]\([^)]*\)", "$1");
        return string.Join("\n\n", text.Split("\n\n").Select(p => string.Join(" ", p.Split('\n').Select(l => l.Trim()))));
    }
}
