using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Newtonsoft.Json.Linq;
using Polly;
using Workflow.Durable;

namespace Workflow.Hosting.Activities;

/// <summary>
/// Runs activity tasks outside the turns: claims them from the store with a lease, runs each
/// through its Polly pipeline (<see cref="ActivityPipelines"/>), and writes the outcomes back in
/// group commits (<see cref="OutcomeWriter"/>), which delivers them to the instances' inboxes.
/// At least once: a crashed worker's tasks run again, with the attempt count they had, so the
/// retry budget survives the crash; they are free as soon as a live worker finds the dead one
/// (WorkerLiveness), or at the latest when their short leases run out. While a task runs, its lease
/// is renewed every third of <see cref="ActivityOptions.LeaseDuration"/>, so a long activity is
/// never claimed twice at once; a renewal that finds the task gone (its instance ended or cancelled
/// it) or taken over stops it: the handler's CancellationToken fires and it is not retried.
/// </summary>
internal sealed class ActivityWorker
{
    private static readonly TimeSpan MaxStoreBackoff = TimeSpan.FromSeconds(30);

    private readonly ActivityRegistry _registry;
    private readonly ActivityOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ActivityPipelines _pipelines;
    private readonly OutcomeWriter _writer;
    private readonly SemaphoreSlim _wake = new(0, 1);
    /// <summary>The tasks whose handlers run now, by task id: their leases are renewed, and they are stopped when no longer wanted.</summary>
    private readonly ConcurrentDictionary<long, ActivityRun> _running = new();

    /// <param name="onCompleted">Called after each group of outcomes is committed: instances got inbox entries (the turn loop's wake-up).</param>
    /// <param name="workerId">The name claims carry; a fresh one per worker by default.</param>
    /// <summary>The largest result a handler may return, in bytes of UTF-8 JSON (WorkflowOptions.MaxPayloadBytes).</summary>
    private readonly long _maxResultBytes;

    public ActivityWorker(
        IWorkflowStore store,
        ActivityRegistry registry,
        ActivityOptions options,
        ILogger<ActivityWorker>? logger = null,
        TimeProvider? time = null,
        Action? onCompleted = null,
        string? workerId = null,
        long maxResultBytes = PayloadLimits.DefaultMaxPayloadBytes)
    {
        _maxResultBytes = maxResultBytes;
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Store = store;
        _registry = registry;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _pipelines = new ActivityPipelines(options, _time);
        _writer = new OutcomeWriter(store, _logger, _time, onCompleted);
        WorkerId = workerId ?? $"{Environment.MachineName}/{Environment.ProcessId}/activities-{Guid.NewGuid().ToString("N")[..8]}";
    }

    public string WorkerId { get; }

    internal IWorkflowStore Store { get; }

    /// <summary>How many distinct pipelines were built (one per retries/timeout pair in use).</summary>
    internal int PipelineCount => _pipelines.Count;

    /// <summary>Ends an idle RunAsync's wait at once: call it after a commit that started activities.</summary>
    public void Wake()
    {
        lock (_wake)
        {
            if (_wake.CurrentCount == 0) _wake.Release();
        }
    }

    /// <summary>
    /// Claims one batch, runs it to the end and writes its outcomes. Returns how many tasks finished
    /// (succeeded or failed for good); 0 when nothing was claimable. A store failure is thrown.
    /// </summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var claimed = Claim(Math.Min(_options.ClaimBatchSize, _options.MaxConcurrency));
        var finished = await Task.WhenAll(claimed.Select(task => Task.Run(() => RunTaskAsync(task, cancellationToken), CancellationToken.None)));
        return finished.Count(f => f);
    }

    /// <summary>
    /// Runs tasks until [cancellationToken] is cancelled, up to MaxConcurrency at once. When a claim
    /// took less than it asked for (nothing more was claimable) it waits PollInterval or until <see cref="Wake"/>. A store failure is logged and
    /// retried with backoff. On cancellation the running handlers are cancelled (their tasks run
    /// again after their leases), finished outcomes are written, and it returns.
    /// </summary>
    /// <remarks>
    /// A task holds its slot while its handler runs (retries included), not while its outcome waits
    /// for the next group commit: holding it until then left fast activities' slots full of written
    /// results, so each group commit freed a handful of slots and the next claim took only that many
    /// (measured with 100 instances stepping through `echo`: claims of ~7 tasks; with this change and
    /// ClaimBatchSize 100, 6,500 → 10,900 and 5,200 → 6,900 steps/s in pairs of runs minutes apart).
    /// </remarks>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(_options.MaxConcurrency, _options.MaxConcurrency);
        // Claimed tasks not yet done with (handler and outcome write), plus one for this loop: zero means drained.
        var unfinished = 1;
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Finished()
        {
            if (Interlocked.Decrement(ref unfinished) == 0) drained.TrySetResult();
        }
        var backoff = TimeSpan.Zero;
        var renewals = Task.Run(() => RenewLeasesAsync(cancellationToken), CancellationToken.None);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await slots.WaitAsync(cancellationToken);
                var want = 1;
                while (want < _options.ClaimBatchSize && slots.Wait(0)) want++;
                IReadOnlyList<ActivityTask> claimed;
                try
                {
                    claimed = Claim(want);
                    backoff = TimeSpan.Zero;
                }
                catch (Exception e)
                {
                    slots.Release(want);
                    backoff = backoff == TimeSpan.Zero ? _options.PollInterval : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxStoreBackoff.Ticks));
                    _logger.LogError(e, "Claiming activity tasks failed; retrying in {Delay}", backoff);
                    await Task.Delay(backoff, _time, cancellationToken);
                    continue;
                }
                if (claimed.Count < want) slots.Release(want - claimed.Count);
                foreach (var task in claimed)
                {
                    if (_running.ContainsKey(task.Id))
                    {
                        // Its lease ran out between two renewals that came late (a busy machine), and this
                        // worker claimed it back: the claim renewed the lease, and the handler already running
                        // here goes on. Starting it a second time would call the handler twice in one process.
                        slots.Release();
                        _logger.LogWarning("The lease of activity task {TaskId} ({Key}) ran out while its handler ran here (a late renewal); this worker holds it again and the handler goes on", task.Id, task.IdempotencyKey);
                        continue;
                    }
                    Interlocked.Increment(ref unfinished);
                    _ = Task.Run(async () =>
                    {
                        try
                        {
                            await RunTaskAsync(task, cancellationToken, slots);
                        }
                        finally
                        {
                            Finished();
                        }
                    }, CancellationToken.None);
                }
                // Fewer than asked for is everything claimable: a claim at once would scan for nothing.
                if (claimed.Count < want) await _wake.WaitAsync(_options.PollInterval, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        // Drain: every claimed task has ended, its outcome written or given up.
        Finished();
        await drained.Task;
        await renewals;
    }

    /// <summary>
    /// Every third of the lease, renews the leases of the tasks running here, in one store call, and
    /// stops the ones this worker no longer holds. A failed renewal is logged and tried again at the
    /// next tick (the lease has two more thirds to go).
    /// </summary>
    private async Task RenewLeasesAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_options.LeaseDuration / 3, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                var running = _running.Keys.ToArray();
                if (running.Length == 0) continue;
                try
                {
                    var held = Store.RenewActivityLeases(WorkerId, running, Now() + _options.LeaseDuration).ToHashSet();
                    foreach (var id in running)
                        if (!held.Contains(id) && _running.TryGetValue(id, out var run)) run.Abandon("its instance no longer waits for it, or another worker took it over");
                }
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    _logger.LogError(e, "Renewing the leases of {Count} running activity tasks failed; trying again in {Delay}", running.Length, _options.LeaseDuration / 3);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Stops the running tasks of [instanceId] (those of [sequences] only, when given): its commit ended
    /// the instance or cancelled those futures, and deleted their tasks. Their handlers' tokens fire and
    /// nothing of them is retried. Tasks of other processes stop at their next lease renewal.
    /// </summary>
    public void Abandon(string instanceId, IReadOnlyCollection<int>? sequences = null)
    {
        foreach (var run in _running.Values)
            if (run.Task.InstanceId == instanceId && (sequences == null || sequences.Contains(run.Task.Sequence)))
                run.Abandon("its instance no longer waits for it");
    }

    private IReadOnlyList<ActivityTask> Claim(int max)
    {
        var now = Now();
        return Store.ClaimActivities(WorkerId, max, now, now + _options.LeaseDuration);
    }

    /// <summary>
    /// Runs [task] and writes its outcome; false when it ended without one (stopping, store trouble).
    /// [slot] is released as soon as the handler is done with, before the outcome is written.
    /// </summary>
    private async Task<bool> RunTaskAsync(ActivityTask task, CancellationToken stopping, SemaphoreSlim? slot = null)
    {
        try
        {
            ActivityOutcome? outcome;
            try
            {
                outcome = await ExecuteAsync(task, stopping);
            }
            finally
            {
                slot?.Release();
            }
            if (outcome == null) return false;
            await _writer.WriteAsync(outcome, stopping);
            return true;
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // One line, not a stack trace: stopping mid-task is what a shutdown does.
            _logger.LogInformation("Activity {Name} ({Key}) abandoned at shutdown; another worker, or this one restarted, runs it again", task.Name, task.IdempotencyKey);
            return false;
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Activity task {TaskId} ({Key}) ended without an outcome; it runs again once its lease expires", task.Id, task.IdempotencyKey);
            return false;
        }
    }

    /// <summary>The task's outcome, or null when it must be left for another claim.</summary>
    private async Task<ActivityOutcome?> ExecuteAsync(ActivityTask task, CancellationToken stopping)
    {
        if (!_registry.TryGet(task.Name, out var handler))
            return Failed(task, $"no activity named '{task.Name}' is registered");
        // Retries beyond this are no retry budget anyone means, and would overflow the attempt count.
        var retries = Math.Clamp(task.Retries ?? _options.Retries, 0, 100_000);
        var budget = retries + 1;
        if (task.Attempts - 1 >= budget)
            return Failed(task, task.LastError ?? $"activity '{task.Name}' used up its {budget} attempts");
        JArray arguments;
        try
        {
            arguments = ActivityJson.Arguments(task.ArgumentsJson);
        }
        catch (Exception e)
        {
            return Failed(task, e.Message);
        }

        var timeout = TimeoutOf(task);
        using var run = new ActivityRun(this, task, handler, arguments, budget, timeout, stopping);
        _running[task.Id] = run;
        var context = ResilienceContextPool.Shared.Get(run.Cancellation);
        context.Properties.Set(ActivityPipelines.RunKey, run);
        try
        {
            var result = await _pipelines.Get(retries, timeout).ExecuteAsync(
                static (context, run) => run.AttemptAsync(context.CancellationToken), context, run);
            var json = ActivityJson.Write(result);
            // A result is a payload like any other: too large a one fails the call (its retries would make the same).
            if (PayloadLimits.BytesOver(json, _maxResultBytes) is { } bytes)
                return Failed(task, $"activity '{task.Name}' returned {ByteSizes.Describe(bytes)} of JSON, over the limit of {ByteSizes.Describe(_maxResultBytes)} for one payload (MaxPayloadBytes): return a reference to the data instead");
            return new ActivityOutcome(task.Id, task.InstanceId, task.Sequence, json, null);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception) when (run.AbandonedBecause is { } why)
        {
            _logger.LogInformation("Activity {Name} ({Key}) stopped after {Attempts} attempts: {Reason}", task.Name, task.IdempotencyKey, run.Made, why);
            return null;
        }
        catch (AttemptNotRecordedException e)
        {
            _logger.LogError(e, "Activity task {TaskId} ({Key}) stopped: {Message}; it runs again once its lease expires", task.Id, task.IdempotencyKey, e.Message);
            return null;
        }
        catch (Exception e)
        {
            var error = ActivityPipelines.Describe(e, task.Name, timeout);
            _logger.LogWarning("Activity {Name} ({Key}) failed after {Attempts} of {Budget} attempts: {Error}", task.Name, task.IdempotencyKey, run.Made, budget, error);
            // The outcome write follows in a group commit; recording the last failure now means a
            // crash in between still leaves the right error for the claim that finds the budget spent.
            try
            {
                if (!Store.RecordActivityAttempt(task.Id, WorkerId, run.Made, error, Now() + _options.LeaseDuration))
                {
                    _logger.LogInformation("Activity {Name} ({Key}) failed, but its instance no longer waits for it", task.Name, task.IdempotencyKey);
                    return null;
                }
            }
            catch (Exception recordError)
            {
                _logger.LogError(recordError, "Could not record the last failed attempt of activity task {TaskId} ({Key})", task.Id, task.IdempotencyKey);
            }
            return Failed(task, error);
        }
        finally
        {
            _running.TryRemove(task.Id, out _);
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>The task's `timeout=` or the default, within what Polly's timeout accepts.</summary>
    private TimeSpan TimeoutOf(ActivityTask task)
    {
        if (task.TimeoutSeconds is not { } seconds || double.IsNaN(seconds)) return _options.Timeout;
        if (seconds >= ActivityOptions.MaxTimeout.TotalSeconds) return ActivityOptions.MaxTimeout;
        var timeout = TimeSpan.FromSeconds(seconds);
        return timeout < ActivityOptions.MinTimeout ? ActivityOptions.MinTimeout : timeout;
    }

    private static ActivityOutcome Failed(ActivityTask task, string error) => new(task.Id, task.InstanceId, task.Sequence, null, error);

    internal DateTime Now() => _time.GetUtcNow().UtcDateTime;

    internal TimeSpan LeaseDuration => _options.LeaseDuration;

    internal void LogRetry(ActivityTask task, int attempt, int budget, string error, TimeSpan delay) =>
        _logger.LogInformation("Activity {Name} ({Key}) attempt {Attempt} of {Budget} failed: {Error}; retrying in {Delay}", task.Name, task.IdempotencyKey, attempt, budget, error, delay);
}
