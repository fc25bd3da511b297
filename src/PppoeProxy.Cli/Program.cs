using PppoeProxy.Cli;

return CliApp.Run(args, Console.Out, Console.Error, Console.In, interactive: !Console.IsInputRedirected);
