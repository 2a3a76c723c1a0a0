using Workflow.Runtime;

namespace Workflow.Durable;

/// <summary>What a worker reports; hosting/ routes these to Microsoft.Extensions.Logging (the engine depends on nothing but Newtonsoft.Json).</summary>
internal sealed class RuntimeEvents
{
    /// <summary>What an instance printed during a turn: (instance id, text).</summary>
    public Action<string, string>? Output { get; init; }
    /// <summary>Something an operator may want to know: dead workers' claims released.</summary>
    public Action<string>? Info { get; init; }
    /// <summary>Something worth a warning: a discarded turn, a late event.</summary>
    public Action<string>? Warning { get; init; }
    /// <summary>A failure the worker survived: an engine fault in one turn, a store error.</summary>
    public Action<Exception, string>? Error { get; init; }
    /// <summary>A turn's commit applied, with the row's new revision.</summary>
    public Action<TurnCommit, long>? Committed { get; init; }
    /// <summary>The same commit with its instance's workflow and timing (hosting/ turns it into metrics, traces and the log line of an instance that failed or was cancelled).</summary>
    public Action<TurnReport>? Reported { get; init; }
}

/// <summary>A committed turn: its instance's workflow, whether it was the instance's first, and how long it ran (unpickle, run, pickle).</summary>
internal sealed record TurnReport(string Workflow, TurnCommit Commit, long Revision, bool FirstTurn, DateTimeOffset StartedAt, TimeSpan Elapsed);

/// <summary>How a worker claims and commits.</summary>
internal sealed class WorkerOptions
{
    /// <summary>Instances claimed, run and committed together (one transaction for the group). The default value is 100.</summary>
    public int BatchSize { get; init; } = 100;
    /// <summary>How long a claim holds an instance; a crashed worker's instances are taken over after it. The default value is 30 s.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How long an idle worker waits before looking for work again (a Wake() cuts it short). The default value is 200 ms.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);
    public TurnOptions Turn { get; init; } = new();
    /// <summary>The clock for leases. The default value is the system clock.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
    /// <summary>Busy instances (whose last slice ended runnable) claimed, run and committed together by the busy lane. The default value is 8.</summary>
    public int BusyBatchSize { get; init; } = 8;
    /// <summary>Compiled program versions a worker keeps, bounded by their total source size (characters); the least recently used are dropped. The default value is 16 M characters.</summary>
    public long ProgramCacheChars { get; init; } = 16L * 1024 * 1024;
}

/// <summary>
/// Runs turns: claims ready instances in batches, runs each one's turn, and commits the batch in
/// one transaction (group commit: what makes thousands of durable steps per second possible on
/// one SQLite file). A turn whose instance was meanwhile taken over is discarded whole by the store.
/// </summary>
/// <remarks>
/// Fair turns: a turn runs at most a slice (TurnOptions.Slice) of script; an instance whose slice
/// ends with tasklets still runnable is committed busy and goes on in the busy lane, a loop of its
/// own that takes busy instances in turn, a few at a time. The fresh lane takes only instances with
/// new work, so a workflow that computes for seconds delays no other instance's turn by more than
/// the one slice it may share a batch with. A group commit that fails is retried turn by turn, so
/// one turn the database refuses fails only its own instance.
/// </remarks>
internal sealed class TurnWorker
{
    private readonly IWorkflowStore _store;
    private readonly ITimerScheduler? _timers;
    private readonly WorkerOptions _options;
    private readonly TurnOptions _turnOptions;
    private readonly RuntimeEvents _events;
    private readonly LruCache<string, WorkflowProgram> _programs;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly SemaphoreSlim _busyWake = new(0, 1);

    public string WorkerId { get; }

    public TurnWorker(IWorkflowStore store, ITimerScheduler? timers, WorkerOptions? options = null, RuntimeEvents? events = null, string? workerId = null)
    {
        _store = store;
        _timers = timers;
        _options = options ?? new WorkerOptions();
        // Each turn's time limit is half the lease: a longer turn would lose its instance to another worker.
        _turnOptions = new TurnOptions
        {
            Interpreter = _options.Turn.Interpreter,
            CommitMode = _options.Turn.CommitMode,
            TimeLimit = _options.Turn.TimeLimit ?? _options.Lease / 2,
            Slice = _options.Turn.Slice,
            RunBudget = _options.Turn.RunBudget,
            MaxPickleBytes = _options.Turn.MaxPickleBytes,
            MaxOutputBytes = _options.Turn.MaxOutputBytes,
        };
        _programs = new LruCache<string, WorkflowProgram>(_options.ProgramCacheChars,
            p => p.Source.Length + p.Modules.Values.Sum(m => (long)m.Length));
        _events = events ?? new RuntimeEvents();
        WorkerId = workerId ?? $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
    }

    /// <summary>Ends an idle wait early: new work has arrived (an activity outcome, a timer, a signal).</summary>
    public void Wake() => Release(_wake);

    private static void Release(SemaphoreSlim wake)
    {
        try { wake.Release(); }
        catch (SemaphoreFullException) { /* already woken: one wake-up covers any number of arrivals */ }
    }

    /// <summary>Claims one batch of any ready instances, busy or not, runs their turns and commits them. Returns how many instances were claimed.</summary>
    public int RunOnce() => RunBatch(ClaimLane.All, _options.BatchSize).Claimed;

    /// <summary>What a batch did: instances claimed, and how many of them are still busy (their slice ended runnable).</summary>
    private readonly record struct BatchResult(int Claimed, int Busy);

    private BatchResult RunBatch(ClaimLane lane, int batchSize)
    {
        var now = _options.Clock.GetUtcNow().UtcDateTime;
        var claimed = _store.ClaimInstances(WorkerId, batchSize, now, now + _options.Lease, lane);
        if (claimed.Count == 0) return new BatchResult(0, 0);
        var commits = new List<TurnCommit>(claimed.Count);
        var ran = new List<(ClaimedInstance Claimed, DateTimeOffset StartedAt, TimeSpan Elapsed)>(claimed.Count);
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < claimed.Count; i++)
        {
            if (i > 0 && started.Elapsed > _options.Lease / 2)
            {
                // Commit what ran while the lease surely holds; the rest stay ready and are claimed again when it expires.
                _events.Warning?.Invoke($"half the lease went on {i} turns; committing them and leaving {claimed.Count - i} claimed instances for later");
                break;
            }
            var turnStartedAt = DateTimeOffset.UtcNow;
            var turnStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            var commit = RunTurn(claimed[i]);
            if (commit == null) continue;
            commits.Add(commit);
            ran.Add((claimed[i], turnStartedAt, System.Diagnostics.Stopwatch.GetElapsedTime(turnStarted)));
        }
        var revisions = CommitBatch(commits, ran);
        var timers = new List<TimerRow>();
        // Wake-ups first: whatever an observer below does, committed timers get theirs.
        for (int i = 0; i < commits.Count; i++)
            if (revisions[i] != null)
                foreach (var t in commits[i].Timers) timers.Add(new TimerRow(commits[i].InstanceId, t.Sequence, t.DueAt));
        if (timers.Count > 0) _timers?.Schedule(timers);
        for (int i = 0; i < commits.Count; i++)
        {
            if (revisions[i] is not { } revision)
            {
                _events.Warning?.Invoke($"instance {commits[i].InstanceId}: the turn was discarded, another worker took the instance over (lease expired)");
                continue;
            }
            _events.Committed?.Invoke(commits[i], revision);
            if (_events.Reported is { } report)
            {
                var (instance, startedAt, elapsed) = ran[i];
                report(new TurnReport(instance.Instance.Workflow, commits[i], revision, instance.Instance.Turns == 0, startedAt, elapsed));
            }
        }
        int busy = 0;
        for (int i = 0; i < commits.Count; i++)
            if (revisions[i] != null && commits[i].BusyMicros > 0) busy++;
        return new BatchResult(claimed.Count, busy);
    }

    /// <summary>
    /// The group commit of [commits]. When it fails, each turn is committed on its own, so that one
    /// turn the database refuses (too big, say) costs only its instance: a turn refused twice is
    /// replaced by a commit that fails its instance, with the error, keeping its previous pickle. If
    /// that is refused too, the database itself is failing: the turns not yet committed are given up
    /// (their instances stay claimed and run again) and the error is thrown.
    /// </summary>
    private IReadOnlyList<long?> CommitBatch(List<TurnCommit> commits, List<(ClaimedInstance Claimed, DateTimeOffset StartedAt, TimeSpan Elapsed)> ran)
    {
        Exception groupError;
        try
        {
            return _store.CommitTurns(commits);
        }
        catch (Exception e)
        {
            groupError = e;
        }
        _events.Warning?.Invoke($"the group commit of {commits.Count} turns failed ({groupError.Message}); committing them one by one");
        var revisions = new long?[commits.Count];
        for (int i = 0; i < commits.Count; i++)
        {
            Exception? refused = null;
            for (int attempt = 0; attempt < 2; attempt++)
            {
                try
                {
                    revisions[i] = _store.CommitTurns(new[] { commits[i] })[0];
                    refused = null;
                    break;
                }
                catch (Exception e)
                {
                    refused = e;
                }
            }
            if (refused == null) continue;
            var claimed = ran[i].Claimed;
            _events.Error?.Invoke(refused, $"instance {commits[i].InstanceId}: the database refused the turn's commit; the instance fails");
            var failed = Turn.FailedWhole(claimed,
                $"the turn could not be committed, the database refused it: {refused.Message}; the previous pickle is kept",
                $"RuntimeError: the turn could not be committed: {refused.Message}", WorkerId);
            revisions[i] = _store.CommitTurns(new[] { failed })[0];
            commits[i] = failed;
        }
        return revisions;
    }

    private TurnCommit? RunTurn(ClaimedInstance claimed)
    {
        var instance = claimed.Instance;
        var output = new TurnOutput(_turnOptions.MaxOutputBytes);
        try
        {
            Func<TurnCommit, long?>? commitNow = _options.Turn.CommitMode == CommitMode.EveryAwait ? CommitIntermediate : null;
            return Turn.Run(claimed, Program(instance.ProgramHash), _turnOptions, output, commitNow, message => _events.Warning?.Invoke(message), WorkerId);
        }
        catch (IntermediateCommitFailed e)
        {
            // The database failed, not the instance: give the turn up; its claim expires and it runs again.
            _events.Error?.Invoke(e.InnerException!, $"instance {instance.Id}: an intermediate commit failed; the turn is abandoned and will run again");
            return null;
        }
        catch (Exception e)
        {
            // An engine fault must cost one instance, not the worker: fail it, keep its pickle for inspection.
            _events.Error?.Invoke(e, $"instance {instance.Id}: the turn failed inside the engine");
            return Turn.FailedWhole(claimed, $"internal error in the workflow engine: {e}",
                $"RuntimeError: internal error in the workflow engine: {e.Message}", WorkerId);
        }
        finally
        {
            try
            {
                if (!output.IsEmpty) _events.Output?.Invoke(instance.Id, output.ToString());
            }
            catch (Exception e)
            {
                // Losing what one turn printed must not cost the batch its commit.
                _events.Error?.Invoke(e, $"instance {instance.Id}: what the turn printed could not be logged");
            }
        }
    }

    private long? CommitIntermediate(TurnCommit commit)
    {
        long? revision;
        try
        {
            revision = _store.CommitTurns(new[] { commit })[0];
        }
        catch (Exception e)
        {
            throw new IntermediateCommitFailed(e);
        }
        if (revision == null) return null;
        if (commit.Timers.Count > 0)
            _timers?.Schedule(commit.Timers.Select(t => new TimerRow(commit.InstanceId, t.Sequence, t.DueAt)).ToArray());
        return revision;
    }

    /// <summary>The program version an instance is pinned to, compiled once per worker; null when the database does not have it.</summary>
    private WorkflowProgram? Program(string hash)
    {
        if (_programs.TryGet(hash, out var cached)) return cached;
        var version = _store.GetProgram(hash);
        if (version == null) return null;
        var program = WorkflowProgram.Compile(version.Source, version.Name + ".wf", version.Modules);
        _programs.Set(hash, program);
        return program;
    }

    /// <summary>
    /// Runs batches until [cancellation]: the fresh lane, and with slices on, the busy lane beside it
    /// (see the class remarks). After a claim that found less than a batch, a lane waits for a wake-up
    /// or the poll interval.
    /// </summary>
    public Task RunAsync(CancellationToken cancellation)
    {
        if (_turnOptions.Slice == null) return RunLane(ClaimLane.All, _options.BatchSize, _wake, cancellation);
        return Task.WhenAll(
            RunLane(ClaimLane.Fresh, _options.BatchSize, _wake, cancellation),
            RunLane(ClaimLane.Busy, _options.BusyBatchSize, _busyWake, cancellation));
    }

    /// <summary>
    /// Runs a lane on a thread of its own: a lane computes for whole slices at a time, and on the
    /// thread pool it would hold a pool thread that the activity runner's and the API's continuations need.
    /// </summary>
    private Task RunLane(ClaimLane lane, int batchSize, SemaphoreSlim wake, CancellationToken cancellation)
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Lane(lane, batchSize, wake, cancellation);
                ended.SetResult();
            }
            catch (Exception e)
            {
                ended.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = $"wf turns ({lane.ToString().ToLowerInvariant()} lane)",
        };
        thread.Start();
        return ended.Task;
    }

    private void Lane(ClaimLane lane, int batchSize, SemaphoreSlim wake, CancellationToken cancellation)
    {
        while (!cancellation.IsCancellationRequested)
        {
            BatchResult batch;
            try
            {
                batch = RunBatch(lane, batchSize);
            }
            catch (Exception e) when (!cancellation.IsCancellationRequested)
            {
                _events.Error?.Invoke(e, $"the turn worker's {lane.ToString().ToLowerInvariant()} lane failed to claim or commit; retrying in a second");
                cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
                continue;
            }
            if (batch.Busy > 0 && lane == ClaimLane.Fresh) Release(_busyWake);
            // The busy lane goes on while its instances are busy; fresh work wakes the fresh lane.
            if (lane == ClaimLane.Busy && batch.Busy > 0) continue;
            // A claim that took less than a whole batch took everything claimable: claiming again at
            // once would find nothing (or the odd straggler) at the cost of a scan, which with several
            // workers on one database is most of what a claim costs. Work that arrives wakes the loop.
            if (batch.Claimed < batchSize) WaitForWork(wake, cancellation);
        }
    }

    private void WaitForWork(SemaphoreSlim wake, CancellationToken cancellation)
    {
        try { wake.Wait(_options.PollInterval, cancellation); }
        catch (OperationCanceledException) { }
    }
}

/// <summary>A store failure inside a turn (commit at every await): it abandons the turn, it does not fail the instance.</summary>
internal sealed class IntermediateCommitFailed(Exception inner) : Exception("an intermediate commit failed", inner);
