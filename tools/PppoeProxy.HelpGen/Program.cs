using PppoeProxy.HelpGen;

// PppoeProxy.HelpGen HELP_DIR OUT_FILE: writes the MAML for every HELP_DIR/*.md to OUT_FILE.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: PppoeProxy.HelpGen HELP_DIR OUT_FILE");
    return 2;
}
var (helpDir, outFile) = (args[0], args[1]);
if (!Directory.Exists(helpDir))
{
    Console.Error.WriteLine($"PppoeProxy.HelpGen: help folder {helpDir} not found");
    return 1;
}
var markdown = Directory.GetFiles(helpDir, "*.md");
if (markdown.Length == 0)
{
    Console.Error.WriteLine($"PppoeProxy.HelpGen: no *.md in {helpDir}");
    return 1;
}
var maml = MamlGenerator.Generate(markdown);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outFile))!);
// Unchanged text is not rewritten, so incremental builds and git see no change.
if (!File.Exists(outFile) || File.ReadAllText(outFile) != maml) File.WriteAllText(outFile, maml);
return 0;
