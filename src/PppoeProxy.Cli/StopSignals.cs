namespace PppoeProxy.Cli;

/// <summary>SIGINT, SIGTERM and SIGQUIT become a cancellation, so long-running commands stop gracefully.</summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<System.Runtime.InteropServices.PosixSignalRegistration> _registrations = new();

    public StopSignals()
    {
        foreach (var signal in new[] { System.Runtime.InteropServices.PosixSignal.SIGINT, System.Runtime.InteropServices.PosixSignal.SIGTERM,
                     System.Runtime.InteropServices.PosixSignal.SIGQUIT })
        {
            _registrations.Add(System.Runtime.InteropServices.PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                _stop.Cancel();
            }));
        }
    }

    public CancellationToken Token => _stop.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _stop.Dispose();
    }
}
