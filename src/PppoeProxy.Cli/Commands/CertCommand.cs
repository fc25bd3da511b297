using System.CommandLine;
using PppoeProxy.Engine.Tunnel.Security;

namespace PppoeProxy.Cli.Commands;

/// <summary>`pppoeproxy cert new --out PATH`: a key pair for the tunnel's TLS; the fingerprint is what the peer pins.</summary>
public static class CertCommand
{
    public static Command Build(Console2 io)
    {
        var output = new Option<string>("--out", "-o") { Description = "Writes PATH.crt and PATH.key (PEM; the key mode 0600)", Required = true, HelpName = "PATH" };
        var create = new Command("new", "Create a self-signed certificate and key; prints the SHA-256 fingerprint last") { output };
        create.SetSyncAction(io, (parsed, _) =>
        {
            string path = parsed.GetValue(output)!;
            string fingerprint = CertificateFiles.Create(path);
            io.Out.WriteLine($"certificate: {path}{CertificateFiles.CertificateExtension}");
            io.Out.WriteLine($"private key: {path}{CertificateFiles.KeyExtension}");
            io.Out.WriteLine("give the peer this fingerprint (--trust):");
            io.Out.WriteLine(fingerprint);
            io.Out.Flush();
            return ExitCodes.Success;
        });
        return new Command("cert", "Certificates for the tunnel's TLS") { create };
    }
}
