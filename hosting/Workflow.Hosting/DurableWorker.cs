using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Workflow.Durable;
using Workflow.Hosting.Activities;
using Workflow.Hosting.Timers;

namespace Workflow.Hosting;

/// <summary>Options of a whole worker: its turns, its activities, its timers.</summary>
internal sealed class DurableWorkerOptions
{
    public WorkerOptions Turns { get; init; } = new();
    public ActivityOptions Activities { get; init; } = new();
    public TimerSchedulerOptions Timers { get; init; } = new();
    /// <summary>How often an idle worker with ExitWhenIdle checks whether anything is left to do. The default value is 100 ms.</summary>
    public TimeSpan IdleCheck { get; init; } = TimeSpan.FromMilliseconds(100);
    /// <summary>
    /// How often a worker fires timers Quartz should have woken but did not, and how overdue they must
    /// be: at most twice this late. A wake-up is lost when a clustered node dies holding the trigger it
    /// had just acquired (the cluster recovers such triggers only after 15 s). The default value is 2 s.
    /// </summary>
    public TimeSpan TimerSweep { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>The worker's heartbeat, and how long a silent worker is trusted.</summary>
    public LivenessOptions Liveness { get; init; } = new();
    /// <summary>What the journal keeps, and how often the worker prunes it.</summary>
    public JournalPrunerOptions Journal { get; init; } = new();
}

/// <summary>
/// One worker process's machinery (what `wf worker` runs): the turn loop (engine), the activity
/// runner (Polly) and the timers (Quartz), on one database, waking each other: a committed turn
/// that started activities wakes the activity runner, and an activity outcome or a fired timer
/// wakes the turn loop, so a step does not wait for a poll interval.
/// </summary>
internal sealed class DurableWorker : IAsyncDisposable
{
    private readonly IWorkflowStore _store;
    private readonly DurableWorkerOptions _options;
    private readonly QuartzTimerScheduler _timers;
    private readonly TurnWorker _turns;
    private readonly ActivityWorker _activities;
    private readonly RuntimeEvents _events;
    private readonly ILogger _logger;

    /// <param name="database">Where the store is: Quartz keeps its triggers there too.</param>
    /// <param name="output">Where an instance's printed output goes; logged at Information when null.</param>
    /// <param name="committed">Told of every committed turn (tests and `wf run` follow instances with it).</param>
    /// <param name="reported">Told of every committed turn with its timing (metrics and traces).</param>
    public DurableWorker(IWorkflowStore store, WorkflowDatabase database, ActivityRegistry activities, DurableWorkerOptions? options = null,
        ILoggerFactory? loggers = null, Action<string, string>? output = null, Action<TurnCommit, long>? committed = null,
        Action<TurnReport>? reported = null)
    {
        _store = store;
        _options = options ?? new DurableWorkerOptions();
        loggers ??= NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger("Workflow.Worker");
        var turnLogger = loggers.CreateLogger("Workflow.Turns");
        var instanceLogger = loggers.CreateLogger("Workflow.Instances");
        // One id for the turn loop's and the activity runner's claims: the process's liveness covers both.
        var workerId = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
        _timers = new QuartzTimerScheduler(store, database, onFired: () => _turns!.Wake(), loggers, _options.Timers);
        _activities = new ActivityWorker(store, activities, _options.Activities, loggers.CreateLogger<ActivityWorker>(), _options.Turns.Clock,
            onCompleted: () => _turns!.Wake(), workerId: workerId, maxResultBytes: _options.Turns.Turn.Interpreter.MaxPayloadBytes);
        _events = new RuntimeEvents
        {
            Output = output ?? ((id, text) => turnLogger.LogInformation("instance {Instance} printed: {Output}", id, text.TrimEnd('\n'))),
            Info = message => _logger.LogInformation("{Message}", message),
            Warning = message => turnLogger.LogWarning("{Message}", message),
            Error = (e, message) => turnLogger.LogError(e, "{Message}", message),
            Committed = (commit, revision) =>
            {
                if (commit.Activities.Count > 0) _activities!.Wake();
                // The commit deleted the tasks of an ended instance or of cancelled futures: stop their handlers here at once.
                if (commit.Status.IsFinal()) _activities!.Abandon(commit.InstanceId);
                else if (commit.Cancelled.Count > 0) _activities!.Abandon(commit.InstanceId, commit.Cancelled);
                turnLogger.LogDebug("committed a turn of {Instance} (claimed at revision {Claimed}): {Status}", commit.InstanceId, commit.Revision, commit.Status);
                committed?.Invoke(commit, revision);
            },
            // The report, not Committed, because it has the instance's workflow.
            Reported = report =>
            {
                LogEnding(instanceLogger, report);
                reported?.Invoke(report);
            },
        };
        _turns = new TurnWorker(store, _timers, _options.Turns, _events, workerId);
    }

    /// <summary>
    /// Logs an instance that ended without completing, with its id, its workflow and its error's last
    /// line (the whole traceback is in its row: `wf show`, GET /api/instances/{id}): a failure as a
    /// warning, since someone may have to act on it; a cancellation as information, since someone asked for it.
    /// </summary>
    private static void LogEnding(ILogger logger, TurnReport report)
    {
        var commit = report.Commit;
        if (commit.Status == InstanceStatus.Failed)
            logger.LogWarning("instance {Instance} of {Workflow} failed: {Error}", commit.InstanceId, report.Workflow, LastLine(commit));
        else if (commit.Status == InstanceStatus.Cancelled)
            logger.LogInformation("instance {Instance} of {Workflow} was cancelled: {Error}", commit.InstanceId, report.Workflow, LastLine(commit));
    }

    /// <summary>The error's last line: the summary the turn made of it (`ValueError: bad input`), else the last line of its text.</summary>
    private static string LastLine(TurnCommit commit) =>
        commit.ErrorSummary ?? commit.Error?.TrimEnd().Split('\n')[^1] ?? "(no error recorded)";

    public string WorkerId => _turns.WorkerId;

    /// <summary>Ends the turn loop's idle wait at once: call it after starting, signalling or cancelling an instance through this process's store.</summary>
    public void Wake() => _turns.Wake();

    /// <summary>Sets wake-ups for timer rows written outside a turn (a rewind or a fork set them again).</summary>
    public void ScheduleTimers(IReadOnlyList<TimerRow> timers)
    {
        if (timers.Count > 0) _timers.Schedule(timers);
    }

    /// <summary>
    /// Registers the worker (its heartbeat and lock; a crashed predecessor's claims are released here),
    /// then runs turns and activities, and starts the timers beside them (reconciling every timer row
    /// with Quartz), until [cancellation], or, with [exitWhenIdle], until nothing can make progress
    /// without a signal, or until [done] says so (checked when idle and after commits). Throws before
    /// it claims anything when the database cannot be written.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellation, bool exitWhenIdle = false, Func<bool>? done = null)
    {
        var liveness = WorkerLiveness.Register(_store, WorkerId, _options.Liveness, _options.Turns.Clock, _events, released: () =>
        {
            _turns.Wake();
            _activities.Wake();
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var turns = Task.Factory.StartNew(() => _turns.RunAsync(stop.Token), TaskCreationOptions.LongRunning).Unwrap();
        var activities = Task.Run(() => _activities.RunAsync(stop.Token));
        var heartbeat = Task.Run(() => liveness.RunAsync(stop.Token));
        var pruner = new JournalPruner(_store, _options.Journal, _options.Turns.Clock, _logger);
        var pruning = Task.Run(() => pruner.RunAsync(stop.Token));
        var sweep = Task.CompletedTask;
        try
        {
            // Quartz starts while turns already run: a restarted worker's first turns do not wait for
            // it, and the wake-ups of timers they commit meanwhile are queued until it has started.
            await _timers.StartAsync(stop.Token);
            sweep = Task.Run(() => SweepDueTimers(stop.Token));
            if (exitWhenIdle || done != null) await WaitUntilIdleOrDone(exitWhenIdle, done, stop.Token);
            else await Task.WhenAll(turns, activities); // until [cancellation]
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // Stopped while Quartz was starting: as graceful a stop as any other (the host waits for it, then exits 0).
        }
        finally
        {
            // However the wait ended (idle, done, cancelled, or a fault), the loops stop before the store can go away.
            stop.Cancel();
            await Task.WhenAll(turns, activities, sweep, heartbeat, pruning);
            try
            {
                // A graceful stop hands this worker's claims (activities abandoned mid-run) to the others at once.
                liveness.Dispose();
            }
            catch (Exception e)
            {
                _logger.LogError(e, "worker {Worker} could not release its claims; they are free once its leases run out", WorkerId);
            }
        }
        _logger.LogDebug("worker {Worker} stopped", WorkerId);
    }

    /// <summary>
    /// Every few seconds, fires timer rows that are overdue by more than a grace period. Quartz fires
    /// them on time; this catches the ones whose wake-up was lost (a process killed between its commit
    /// and its Quartz insert while other workers stayed up, or a Quartz trigger taken by a process
    /// that died). Firing is idempotent: a row fires once, whoever fires it.
    /// </summary>
    private async Task SweepDueTimers(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.TimerSweep, stop);
                // The worker's clock, not the wall's: a test that moves its clock a day on sees a day's timers fire.
                var now = _options.Turns.Clock.GetUtcNow().UtcDateTime;
                var overdue = _store.DueTimers(now - _options.TimerSweep, 1000);
                if (overdue.Count == 0) continue;
                var fired = _store.FireTimers(overdue);
                if (fired > 0)
                {
                    _logger.LogWarning("fired {Count} overdue timers that Quartz had not woken", fired);
                    _turns.Wake();
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "the sweep for overdue timers failed; trying again");
            }
        }
    }

    private async Task WaitUntilIdleOrDone(bool exitWhenIdle, Func<bool>? done, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.IdleCheck, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                if (done?.Invoke() == true) return;
                // The summary is one snapshot: a claimed instance stays ready and a running activity's
                // task stays until their commits, which write the work they start in the same transaction.
                if (exitWhenIdle && _store.Summary().IsIdle) return;
            }
            catch (Exception e)
            {
                // A busy or failing database: the loops retry on their own; so does this check.
                _logger.LogError(e, "checking whether the worker is idle failed; checking again");
            }
        }
    }

    public ValueTask DisposeAsync() => _timers.DisposeAsync();
}
