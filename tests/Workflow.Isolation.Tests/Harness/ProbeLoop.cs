using System.Text.Json.Nodes;

namespace Workflow.Isolation.Tests.Harness;

/// <summary>One probe instance: what it was started with and how it ended (null fields while it runs).</summary>
internal sealed class Probe
{
    public required int Number { get; init; }
    public required DateTime StartedAt { get; init; }
    public string? Id { get; init; }
    /// <summary>Why the start request failed; null when it was accepted.</summary>
    public string? StartFailure { get; init; }
    public string? Status { get; set; }
    public JsonNode? Result { get; set; }
    public string? Error { get; set; }
    /// <summary>From its creation to its completion, by the server's own timestamps (no polling delay in it).</summary>
    public TimeSpan? Latency { get; set; }

    public bool Ended => StartFailure != null || Status != null;

    /// <summary>Completed with its input echoed back: the number it was started with.</summary>
    public bool Succeeded => Status == "completed" && Result?.GetValueKind() == System.Text.Json.JsonValueKind.Number && (int)Result == Number;

    public override string ToString() => StartFailure != null
        ? $"probe {Number}: the start failed: {StartFailure}"
        : $"probe {Number} ({Id}): {Status ?? "still running"}{(Error != null ? $": {WfApi.Shorten(Error, 300)}" : "")}{(Status == "completed" ? $" with {Result?.ToJsonString()}" : "")}";
}

/// <summary>
/// Starts a probe instance (Programs/probe.wf: one echo activity) every [interval], from the start of
/// the suite to its end, and follows each one to its end. A hostile instance that starves the worker,
/// the activity runner or the database shows up here as probes that do not complete, or slowly.
/// </summary>
internal sealed class ProbeLoop : IAsyncDisposable
{
    private readonly WfApi _api;
    private readonly TimeSpan _interval;
    private readonly List<Probe> _probes = new();
    private readonly CancellationTokenSource _stop = new(), _stopStarting = new();
    private readonly Task _starting, _following;

    public ProbeLoop(WfApi api, TimeSpan interval)
    {
        _api = api;
        _interval = interval;
        _starting = Task.Run(StartProbes);
        _following = Task.Run(FollowProbes);
    }

    public IReadOnlyList<Probe> All
    {
        get { lock (_probes) return _probes.ToArray(); }
    }

    /// <summary>
    /// Waits until every probe started before now has ended, or until [deadline]; returns those
    /// probes (the ones still running at the deadline are among them, unended).
    /// </summary>
    public async Task<IReadOnlyList<Probe>> SettleAsync(DateTime deadline)
    {
        var started = All;
        while (started.Any(p => !p.Ended) && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        return started;
    }

    /// <summary>Starts no more probes; the ones running are still followed to their end.</summary>
    public async Task StopStartingAsync()
    {
        _stopStarting.Cancel();
        await _starting;
    }

    private async Task StartProbes()
    {
        for (int number = 1; !_stopStarting.IsCancellationRequested; number++)
        {
            var startedAt = DateTime.UtcNow;
            Probe probe;
            try
            {
                probe = new Probe { Number = number, StartedAt = startedAt, Id = await _api.Start("probe", number) };
            }
            catch (Exception e) when (!_stopStarting.IsCancellationRequested)
            {
                probe = new Probe { Number = number, StartedAt = startedAt, StartFailure = e.Message };
            }
            catch (Exception) when (_stopStarting.IsCancellationRequested)
            {
                return;
            }
            lock (_probes) _probes.Add(probe);
            try
            {
                await Task.Delay(_interval, _stopStarting.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Reads the running probes one after another, then pauses briefly: a busy server gets fewer reads, not more.</summary>
    private async Task FollowProbes()
    {
        while (!_stop.IsCancellationRequested)
        {
            foreach (var probe in All.Where(p => !p.Ended))
            {
                try
                {
                    if (await _api.Instance(probe.Id!) is not { } instance) continue;
                    var status = (string)instance["status"]!;
                    if (!WfApi.FinalStatuses.Contains(status)) continue;
                    probe.Result = instance["result"]?.DeepClone();
                    probe.Error = (string?)instance["error"];
                    probe.Latency = WfApi.Lifetime(instance);
                    probe.Status = status;
                }
                catch (Exception) when (!_stop.IsCancellationRequested)
                {
                    // The server did not answer this read; the next round asks again, and the test's own checks say whether it is alive.
                }
                catch (Exception)
                {
                    return;
                }
            }
            try
            {
                await Task.Delay(100, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The [fraction] quantile (0.5, 0.99) of the completed probes' latencies, nearest rank; null when none completed.</summary>
    public TimeSpan? Quantile(double fraction)
    {
        var latencies = All.Where(p => p.Latency != null).Select(p => p.Latency!.Value).Order().ToArray();
        if (latencies.Length == 0) return null;
        var rank = (int)Math.Ceiling(fraction * latencies.Length);
        return latencies[Math.Clamp(rank - 1, 0, latencies.Length - 1)];
    }

    public async ValueTask DisposeAsync()
    {
        _stopStarting.Cancel();
        _stop.Cancel();
        await Task.WhenAll(_starting, _following);
        _stop.Dispose();
        _stopStarting.Dispose();
    }
}
