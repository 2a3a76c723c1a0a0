using System.Diagnostics;

namespace Workflow.Benchmarks;

/// <summary>
/// One `wf worker --db …` child process: the built tool (wf.dll, copied beside the benchmark by the
/// project reference), started exactly as a user starts it. What it writes is kept, with when each
/// line came, for the waits below and for the message when it fails.
/// </summary>
internal sealed class WfWorkerProcess : IDisposable
{
    private static readonly string WfDll = System.IO.Path.Combine(AppContext.BaseDirectory, "wf.dll");

    private readonly Process _process;
    private readonly Stopwatch _sinceStart = Stopwatch.StartNew();
    private readonly List<(TimeSpan At, string Line)> _lines = new();

    private WfWorkerProcess(Process process) => _process = process;

    public static WfWorkerProcess Start(string db)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { WfDll, "worker", "--db", db }) start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet wf.dll worker");
        var worker = new WfWorkerProcess(process);
        process.ErrorDataReceived += (_, e) => worker.Keep(e.Data);
        process.OutputDataReceived += (_, e) => worker.Keep(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return worker;
    }

    /// <summary>The process id: worker ids (LeaseOwner in the database) are `host:pid:suffix`.</summary>
    public int Pid => _process.Id;

    private void Keep(string? line)
    {
        if (line == null) return;
        lock (_lines)
        {
            _lines.Add((_sinceStart.Elapsed, line));
            Monitor.PulseAll(_lines);
        }
    }

    /// <summary>Waits for a line containing [text]; returns how long after the start it came.</summary>
    public TimeSpan WaitForLine(string text, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        lock (_lines)
        {
            for (int seen = 0; ; )
            {
                for (; seen < _lines.Count; seen++)
                    if (_lines[seen].Line.Contains(text, StringComparison.Ordinal)) return _lines[seen].At;
                var left = timeout - deadline.Elapsed;
                if (left <= TimeSpan.Zero) throw new TimeoutException($"wf worker wrote no line with \"{text}\" within {timeout.TotalSeconds:F0} s:\n{Log}");
                Monitor.Wait(_lines, left);
            }
        }
    }

    /// <summary>CPU time the process has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>A memory figure of /proc/PID/status (VmRSS, VmHWM, …), in MB.</summary>
    public double MemoryMb(string field)
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
    }

    public void ThrowIfExited()
    {
        if (_process.HasExited) throw new InvalidOperationException($"wf worker exited with {_process.ExitCode}:\n{Log}");
    }

    private string Log
    {
        get
        {
            lock (_lines) return string.Join('\n', _lines.Select(l => l.Line));
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }
}
