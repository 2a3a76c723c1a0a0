using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Workflow.Isolation.Tests.Harness;

/// <summary>
/// `wf serve` as a real process, as an operator runs it: the built tool (wf.dll, copied beside the
/// tests by the project reference) on a fresh SQLite file in a temporary folder, listening on a
/// loopback port the OS picks, with the default configuration otherwise. Its output is kept in
/// <see cref="Log"/> and its resident memory sampled by <see cref="Rss"/>. Disposing kills it and
/// deletes the folder; if the test process itself dies first, a watchdog kills the server.
/// </summary>
internal sealed partial class ServeProcess : IDisposable
{
    private static readonly string WfDll = Path.Combine(AppContext.BaseDirectory, "wf.dll");

    /// <summary>
    /// The managed heap may not grow past this (DOTNET_GCHeapHardLimit, hexadecimal bytes: 3 GB). The
    /// machine is shared: without a cap, `[0] * 10**9` on a server that lacks the size checks would
    /// take 8 GB from everyone. The cap is well above the RSS bound the tests assert, so a breach still
    /// fails on that bound (or as an out-of-memory error that names no limit), never passes.
    /// </summary>
    public const string HeapHardLimit = "0xC0000000";

    /// <summary>
    /// Runs the server under bash, which waits for it and then says how it ended, while a subshell
    /// reads this process's end of a pipe (fd 3: a background job's own stdin is /dev/null). When the
    /// pipe closes (Dispose, or this process dying in any way, even by SIGKILL), the subshell kills the
    /// server and, once it is gone, deletes its folder: no server outlives its test run, and no database is left behind.
    /// </summary>
    private const string Watchdog = """
        exec 3<&0
        "$@" </dev/null 3<&- &
        server=$!
        echo "wf-serve-pid $server"
        (
            cat <&3 >/dev/null
            kill -KILL "$server" 2>/dev/null
            while kill -0 "$server" 2>/dev/null; do sleep 0.1; done
            rm -rf -- "$WF_SERVE_FOLDER"
        ) &
        wait "$server"
        echo "wf-serve-exit $?"
        """;

    private readonly Process _watchdog;
    private bool _disposed;

    public string Folder { get; }
    public ServerLog Log { get; } = new();
    public int Pid { get; private set; }
    public Uri BaseAddress { get; private set; } = null!;
    public RssSampler Rss { get; private set; } = null!;

    private ServeProcess(string folder, Process watchdog)
    {
        Folder = folder;
        _watchdog = watchdog;
    }

    public string DatabasePath => Path.Combine(Folder, "workflow.db");

    /// <summary>Starts `wf serve --programs [programs]` and waits until it serves (it prints its address then).</summary>
    public static ServeProcess Start(string programs, TimeSpan timeout)
    {
        var folder = Directory.CreateTempSubdirectory("wf-hostile-").FullName;
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        foreach (var argument in new[] { "-c", Watchdog, "wf-serve-watchdog", "dotnet", WfDll, "serve",
                     "--db", Path.Combine(folder, "workflow.db"), "--urls", "http://127.0.0.1:0", "--programs", programs })
            start.ArgumentList.Add(argument);
        start.Environment["DOTNET_GCHeapHardLimit"] = HeapHardLimit;
        start.Environment["WF_SERVE_FOLDER"] = folder;
        Process watchdog;
        try
        {
            watchdog = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
        var server = new ServeProcess(folder, watchdog);
        try
        {
            server.Log.Follow(watchdog.StandardOutput, "stdout");
            server.Log.Follow(watchdog.StandardError, "stderr");
            server.WaitUntilServing(timeout);
        }
        catch
        {
            server.Dispose();
            throw;
        }
        return server;
    }

    private void WaitUntilServing(TimeSpan timeout)
    {
        var pidLine = Log.WaitForLine("wf-serve-pid ", timeout, () => _watchdog.HasExited)
            ?? throw new InvalidOperationException($"the watchdog did not start wf serve:\n{Log.Tail()}");
        Pid = int.Parse(pidLine.Head.Split(' ')[^1]);
        Rss = new RssSampler(Pid, TimeSpan.FromMilliseconds(100));
        var serving = Log.WaitForLine("wf: serving the dashboard on ", timeout, () => HasExited)
            ?? throw new InvalidOperationException($"wf serve did not start serving within {timeout.TotalSeconds:0} s:\n{Log.Tail()}");
        BaseAddress = new Uri(ServingAddress().Match(serving.Head) is { Success: true } m
            ? m.Groups[1].Value
            : throw new InvalidOperationException($"no address in \"{serving.Head}\""));
    }

    [GeneratedRegex(@"serving the dashboard on (http://\S+?)/? and")]
    private static partial Regex ServingAddress();

    /// <summary>Whether the server has ended (the watchdog reports its exit and ends with it).</summary>
    public bool HasExited => _watchdog.HasExited || (Pid != 0 && RssSampler.ReadKb(Pid) == null);

    /// <summary>How the server ended, from the watchdog's report; null while it runs.</summary>
    public string? Ending => Log.Lines.LastOrDefault(l => l.Head.StartsWith("wf-serve-exit ", StringComparison.Ordinal))?.Head;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // Closing the pipe is the watchdog's signal to kill the server.
        try { _watchdog.StandardInput.Close(); }
        catch (IOException) { /* the watchdog is gone already */ }
        if (!_watchdog.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            if (Pid != 0) KillQuietly(Pid);
            _watchdog.Kill(entireProcessTree: true);
            _watchdog.WaitForExit(TimeSpan.FromSeconds(10));
        }
        Log.WaitForEnd(TimeSpan.FromSeconds(10));
        Rss?.Dispose();
        _watchdog.Dispose();
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { /* a file still held open: the OS cleans its temporary folder */ }
    }

    private static void KillQuietly(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException) { /* gone */ }
    }
}
