using System.Diagnostics;

namespace Workflow.Durability.Tests;

/// <summary>The crash host (tests/Workflow.CrashHost) as a real child process, killed with SIGKILL.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private static readonly string HostDll = Path.Combine(AppContext.BaseDirectory, "Workflow.CrashHost.dll");
    private readonly Process _process;
    private readonly System.Text.StringBuilder _stderr = new();

    private WorkerProcess(Process process) => _process = process;

    /// <param name="journal">The file its committed turns are journalled in (default: the database's journal).</param>
    /// <param name="leaseSeconds">Short leases (and retry delays) for the tests that predate worker liveness; null: the default configuration.</param>
    public static WorkerProcess Start(TestDatabase db, double? leaseSeconds, bool exitWhenIdle = false, string? journal = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { HostDll, "--db", db.Db, "--ledger", db.LedgerPath, "--journal", journal ?? db.JournalPath })
            psi.ArgumentList.Add(a);
        if (leaseSeconds is { } lease)
        {
            psi.ArgumentList.Add("--lease");
            psi.ArgumentList.Add(lease.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (exitWhenIdle) psi.ArgumentList.Add("--exit-when-idle");
        var process = Process.Start(psi)!;
        var worker = new WorkerProcess(process);
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (worker._stderr) worker._stderr.AppendLine(e.Data); };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return worker;
    }

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    public bool HasExited => _process.HasExited;

    /// <summary>SIGKILL: no finally block, no flush, no graceful shutdown.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
