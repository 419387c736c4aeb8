using System.Runtime.InteropServices;

namespace GemmaBench.Tool;

/// <summary>Ctrl-C (SIGINT) and SIGTERM cancel a token instead of ending the process, so a long command can
/// stop what it is doing, clean up and exit with <see cref="CommandLine.Interrupted"/>.</summary>
static class StopSignals
{
    /// <summary>Until the result is disposed, either signal cancels <paramref name="stop"/>.</summary>
    public static IDisposable Cancel(CancellationTokenSource stop)
    {
        void Interrupt(PosixSignalContext signal)
        {
            signal.Cancel = true;
            stop.Cancel();
        }
        var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        return new Registrations(sigint, sigterm);
    }

    sealed class Registrations(params IDisposable[] all) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in all)
                registration.Dispose();
        }
    }
}
