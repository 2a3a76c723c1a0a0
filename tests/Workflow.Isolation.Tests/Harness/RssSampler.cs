namespace Workflow.Isolation.Tests.Harness;

/// <summary>
/// Samples a process's resident set (VmRSS in /proc/PID/status) every [interval] on a background
/// thread, and keeps the largest value seen. Resident memory, not the managed heap: a bomb that
/// allocates natively, or a cache of compiled programs, shows up here as it would to the OS's OOM killer.
/// </summary>
internal sealed class RssSampler : IDisposable
{
    private readonly int _pid;
    private readonly TimeSpan _interval;
    private readonly Thread _thread;
    private volatile bool _stopping;
    private long _maxKb, _lastKb;
    // Every sample (ten a second: a few thousand over the suite), for the peak within one test's window.
    private readonly List<(DateTime At, long Kb)> _samples = new();

    public RssSampler(int pid, TimeSpan interval)
    {
        _pid = pid;
        _interval = interval;
        _thread = new Thread(Run) { IsBackground = true, Name = $"VmRSS of {pid}" };
        _thread.Start();
    }

    /// <summary>The largest resident set seen so far, in MB.</summary>
    public double MaxMb => Interlocked.Read(ref _maxKb) / 1024.0;

    /// <summary>The latest sample, in MB.</summary>
    public double LastMb => Interlocked.Read(ref _lastKb) / 1024.0;

    public int Samples
    {
        get { lock (_samples) return _samples.Count; }
    }

    /// <summary>The largest resident set sampled at or after [from], in MB; 0 when there is no such sample yet.</summary>
    public double MaxMbSince(DateTime from)
    {
        lock (_samples) return _samples.Where(s => s.At >= from).Select(s => s.Kb).DefaultIfEmpty().Max() / 1024.0;
    }

    /// <summary>Reads VmRSS now (kB), or null when the process is gone.</summary>
    public static long? ReadKb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
            // A zombie has a status file without VmRSS.
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void Run()
    {
        while (!_stopping)
        {
            if (ReadKb(_pid) is not { } kb) return;
            Interlocked.Exchange(ref _lastKb, kb);
            lock (_samples) _samples.Add((DateTime.UtcNow, kb));
            long max;
            while (kb > (max = Interlocked.Read(ref _maxKb)) && Interlocked.CompareExchange(ref _maxKb, kb, max) != max) { }
            Thread.Sleep(_interval);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join(TimeSpan.FromSeconds(5));
    }
}
