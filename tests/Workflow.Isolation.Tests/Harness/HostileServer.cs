using System.Net;
using System.Text.Json.Nodes;
using Xunit.Sdk;

namespace Workflow.Isolation.Tests.Harness;

/// <summary>
/// The one server every case of the suite runs against (issue 14, "One workflow cannot hurt another"):
/// `wf serve` started once with Programs/*.wf deployed, probes started every half second from the
/// first test to the last, and its resident memory sampled throughout. Each test ends with
/// <see cref="AssertStillServing"/>: the server is up, /healthz answers, every probe started so far
/// completed, and the largest resident set seen is under <see cref="RssBoundMb"/>.
/// </summary>
public sealed class HostileServer : IAsyncLifetime
{
    /// <summary>
    /// The bound on the server's resident memory, over the whole suite: 1 GB. An idle `wf serve` is
    /// about 150 MB; with every limit in place the suite peaked at 673, 736 and 705 MB in three runs
    /// (the two million strings the pickle quota refuses, 100,000-frame tracebacks, the program cache
    /// of 400 programs of 900 KB, four reads at once of results just under 2 MB), so 1 GB leaves a
    /// third of headroom for a slower garbage collection on a loaded machine. Without the limits the
    /// same suite went past it every time: 1.8 GB for one turn printing 100 MB, 3 GB (the heap cap)
    /// for an unbounded program cache or `[0] * 10**9`, 2 GB for `"x" * 10**9`.
    /// </summary>
    internal const double RssBoundMb = 1_024;

    /// <summary>
    /// The whole suite's time budget from the server's start. Waits never go past it, so a server
    /// that is wedged (one turn stuck in a native operation) fails the remaining tests within minutes
    /// instead of each of them waiting its full timeout.
    /// </summary>
    internal static readonly TimeSpan Budget = TimeSpan.FromMinutes(6);

    /// <summary>How long a wait for an instance or the probes gets, when the budget allows.</summary>
    internal static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private readonly IMessageSink _diagnostics;
    private ServeProcess? _process;
    private WfApi? _api;
    private ProbeLoop? _probes;
    private DateTime _serverStarted, _budgetEnd;
    private readonly Dictionary<string, Task<IReadOnlyDictionary<string, string>>> _groups = new();

    public HostileServer(IMessageSink diagnostics) => _diagnostics = diagnostics;

    internal ServeProcess Process => _process ?? throw new InvalidOperationException("the server did not start");
    internal WfApi Api => _api ?? throw new InvalidOperationException("the server did not start");
    internal ProbeLoop Probes => _probes ?? throw new InvalidOperationException("the server did not start");

    public async Task InitializeAsync()
    {
        var programs = Path.Combine(AppContext.BaseDirectory, "Programs");
        _process = await Task.Run(() => ServeProcess.Start(programs, TimeSpan.FromSeconds(90)));
        _serverStarted = _lastCheck = DateTime.UtcNow;
        _budgetEnd = _serverStarted + Budget;
        _api = new WfApi(_process.BaseAddress, WhyGone);
        _probes = new ProbeLoop(_api, TimeSpan.FromMilliseconds(500));
    }

    /// <summary>
    /// Starts a group of hostile instances once, all at the same time so that they compete, and gives
    /// every test of the group the same instance ids by case name. [start] runs at the first call for [group].
    /// </summary>
    internal Task<IReadOnlyDictionary<string, string>> StartOnce(string group, Func<WfApi, Task<IReadOnlyDictionary<string, string>>> start)
    {
        lock (_groups)
        {
            if (!_groups.TryGetValue(group, out var started)) _groups[group] = started = start(Api);
            return started;
        }
    }

    /// <summary>The end of a wait of [patience] from now, cut at the suite's budget.</summary>
    internal DateTime Deadline(TimeSpan patience)
    {
        var end = DateTime.UtcNow + patience;
        return end < _budgetEnd ? end : _budgetEnd;
    }

    /// <summary>Polls the instance until it reaches a final status, and returns it; fails when the server dies or the wait runs out.</summary>
    internal async Task<JsonObject> WaitForEnd(string id, TimeSpan? patience = null)
    {
        var deadline = Deadline(patience ?? Patience);
        var pause = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            AssertAlive();
            var instance = await Api.Instance(id) ?? throw new XunitException($"instance {id} does not exist");
            if (WfApi.FinalStatuses.Contains((string)instance["status"]!)) return instance;
            if (DateTime.UtcNow >= deadline)
                throw new XunitException($"instance {id} did not end by {deadline:HH:mm:ss} (the suite's budget ends {_budgetEnd:HH:mm:ss}): "
                    + $"{WfApi.Shorten(instance.ToJsonString())}\nserver log:\n{Process.Log.Tail()}");
            await Task.Delay(pause);
            // A big instance (50,000 pending activities) is a big read: read it less often as the wait goes on.
            pause = TimeSpan.FromMilliseconds(Math.Min(1_000, pause.TotalMilliseconds * 1.5));
        }
    }

    /// <summary>
    /// Checks that an instance failed with an error that contains each of [words] (case-insensitive;
    /// "result|payload" is either word), and returns its error.
    /// </summary>
    internal static string AssertFailedNaming(JsonObject instance, params string[] words)
    {
        var error = (string?)instance["error"] ?? "";
        Assert.True((string?)instance["status"] == "failed", $"instance {instance["id"]} ended {instance["status"]}, not failed: {WfApi.Shorten(error)}");
        foreach (var word in words)
            Assert.True(word.Split('|').Any(w => error.Contains(w, StringComparison.OrdinalIgnoreCase)),
                $"the error of {instance["id"]} does not name \"{word}\": {WfApi.Shorten(error)}");
        return error;
    }

    /// <summary>
    /// Sends signal `go` with [payload] (JSON text) to a waiter (Programs/waiter.wf) and checks that it
    /// returns exactly that: a signal refused before was not queued, or the waiter would have received it first.
    /// </summary>
    internal async Task AssertWaiterReceivesOnly(string waiter, string payload)
    {
        using (var sent = await Api.Post($"/api/instances/{waiter}/signals/go", payload))
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var ended = await WaitForEnd(waiter);
        Assert.Equal("completed", (string?)ended["status"]);
        Assert.Equal(JsonNode.Parse(payload)!.ToJsonString(), ended["result"]?.ToJsonString());
    }

    internal void AssertAlive()
    {
        if (Process.HasExited) throw new XunitException(Gone());
    }

    private string Gone() => $"wf serve is gone ({Process.Ending ?? "no exit status reported"}); its last lines:\n{Process.Log.Tail()}";

    /// <summary>Why a request found no server: it died (given a second to be seen dead), or null when it is still running.</summary>
    private string? WhyGone()
    {
        for (int i = 0; i < 10 && !Process.HasExited; i++) Thread.Sleep(100);
        return Process.HasExited ? Gone() : null;
    }

    /// <summary>
    /// The suite's invariant, checked at the end of every test: the server is up, /healthz answers
    /// Healthy, every probe started so far completed (waiting for the ones still running), and the
    /// server's resident memory never went over <see cref="RssBoundMb"/>. Writes the figures to [output].
    /// </summary>
    internal async Task AssertStillServing(ITestOutputHelper output)
    {
        AssertAlive();
        using (var health = await Api.Get("/healthz"))
        {
            var body = await health.Content.ReadAsStringAsync();
            Assert.True(health.StatusCode == HttpStatusCode.OK && body == "Healthy", $"/healthz answered {(int)health.StatusCode} {body}");
        }
        // Probes get their patience, and at least a few seconds for the ones just started, unless the suite's budget is spent.
        var probes = await Probes.SettleAsync(DateTime.UtcNow >= _budgetEnd ? DateTime.UtcNow : Max(Deadline(Patience), DateTime.UtcNow + TimeSpan.FromSeconds(5)));
        output.WriteLine(Figures());
        output.WriteLine(ProbesSince(_lastCheck));
        _lastCheck = DateTime.UtcNow;
        var bad = probes.Where(p => !p.Succeeded).ToArray();
        Assert.True(bad.Length == 0, $"{bad.Length} of {probes.Count} probes did not complete with their input:\n"
            + string.Join("\n", bad.Take(5).Select(p => p.ToString())) + $"\nserver log:\n{Process.Log.Tail()}");
        Assert.True(Process.Rss.MaxMb < RssBoundMb, $"the server's resident memory reached {Process.Rss.MaxMb:N0} MB, over the bound of {RssBoundMb:N0} MB");
        AssertAlive();
    }

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    /// <summary>When the last check ended: the tests run one after another, so the probes since then are the ones the current test competed with.</summary>
    private DateTime _lastCheck;

    /// <summary>The probes started since [from]: how many, their latencies, and the slowest, with when they started (seconds after the server).</summary>
    private string ProbesSince(DateTime from)
    {
        var probes = Probes.All.Where(p => p.StartedAt >= from && p.Latency != null).OrderBy(p => p.Latency).ToArray();
        if (probes.Length == 0) return "no probe started since the last check has completed";
        TimeSpan At(double fraction) => probes[Math.Clamp((int)Math.Ceiling(fraction * probes.Length) - 1, 0, probes.Length - 1)].Latency!.Value;
        var slowest = probes.TakeLast(3).Reverse().Select(p => $"{p.Latency!.Value.TotalMilliseconds:N0} ms at +{(p.StartedAt - _serverStarted).TotalSeconds:0.0} s");
        return $"since the last check: {probes.Length} probes, p50 {Millis(At(0.5))}, p99 {Millis(At(0.99))}; slowest {string.Join(", ", slowest)}";
    }

    /// <summary>The probes' latencies and the server's memory so far, in one line.</summary>
    internal string Figures()
    {
        var probes = Probes.All;
        var completed = probes.Count(p => p.Succeeded);
        return $"probes: {completed} of {probes.Count} completed; latency p50 {Millis(Probes.Quantile(0.5))}, p99 {Millis(Probes.Quantile(0.99))}, "
            + $"max {Millis(probes.Where(p => p.Latency != null).Select(p => p.Latency).Max())}; "
            + $"server RSS max {Process.Rss.MaxMb:N0} MB (now {Process.Rss.LastMb:N0} MB, {Process.Rss.Samples:N0} samples, bound {RssBoundMb:N0} MB)";
    }

    private static string Millis(TimeSpan? value) => value is { } v ? $"{v.TotalMilliseconds:N0} ms" : "n/a";

    /// <summary>
    /// The suite's invariant once more, after the last test, whichever it was and however it ended:
    /// a broken one is reported as the collection's cleanup failure. The server is stopped and its
    /// folder deleted in any case.
    /// </summary>
    public async Task DisposeAsync()
    {
        var problems = new List<string>();
        try
        {
            if (_process != null && _probes != null && _api != null)
            {
                await _probes.StopStartingAsync();
                var probes = await _probes.SettleAsync(_process.HasExited ? DateTime.UtcNow : DateTime.UtcNow + TimeSpan.FromSeconds(30));
                if (_process.HasExited) problems.Add($"wf serve is gone ({_process.Ending ?? "no exit status reported"})");
                else
                {
                    try
                    {
                        using var health = await _api.Get("/healthz");
                        var body = await health.Content.ReadAsStringAsync();
                        if (health.StatusCode != HttpStatusCode.OK || body != "Healthy") problems.Add($"/healthz answered {(int)health.StatusCode} {body}");
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        problems.Add($"/healthz did not answer: {e.Message}");
                    }
                }
                var bad = probes.Where(p => !p.Succeeded).ToArray();
                if (bad.Length > 0) problems.Add($"{bad.Length} of {probes.Count} probes did not complete with their input, e.g. {bad[0]}");
                if (_process.Rss.MaxMb >= RssBoundMb) problems.Add($"the server's resident memory reached {_process.Rss.MaxMb:N0} MB, over the bound of {RssBoundMb:N0} MB");
                _diagnostics.OnMessage(new DiagnosticMessage($"at the end: {Figures()}; the server {(_process.HasExited ? $"had ended: {_process.Ending}" : "was still up")}"));
            }
        }
        finally
        {
            if (_probes != null) await _probes.DisposeAsync();
            _api?.Dispose();
            _process?.Dispose();
        }
        if (problems.Count > 0)
        {
            // The runner names a cleanup failure without its message: the diagnostic line carries it.
            var failure = "after the last test of the suite: " + string.Join("; ", problems);
            _diagnostics.OnMessage(new DiagnosticMessage($"FAILED {failure}"));
            throw new XunitException(failure);
        }
    }
}
