using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quartz;
using Workflow.Durable;

namespace Workflow.Hosting.Timers;

/// <summary>
/// Fires durable timers with Quartz, whose persistent (ADO.NET) job store lives in the workflow
/// database itself (the SQLite file, or the PostgreSQL database), in its own QRTZ_ tables (created
/// when missing). The timer rows are
/// the truth and Quartz only wakes them: <see cref="StartAsync"/> gives every row due within the
/// horizon a wake-up (so a timer committed before a crash fires, and one that fell due while nothing
/// ran fires at once), a planning pass every half horizon gives one to the rows that have come
/// within it (<see cref="TimerSchedulerOptions.Horizon"/>), and a wake-up that finds no row due
/// (its future was cancelled, or it fired already) does nothing.
/// </summary>
/// <remarks>
/// Set up for many timers due together (issue 7: 1,000 in one second, p99 lateness ≤ 50 ms):
/// <list type="bullet">
/// <item>A Quartz trigger stands for a slot of time, not for one timer: a timer due at t gets the
/// trigger of the slot ending at the first multiple of <see cref="TimerSchedulerOptions.Slot"/>
/// (10 ms) at or after t, keyed by that time, and its job fires every row due by then
/// (<see cref="TimerFirer"/>: DueTimers + FireTimers, grouped). Quartz's SQLite store pays several
/// transactions per firing (measured: one trigger per timer made 1,000 timers due in one second
/// fire with p99 ≈ 1.4–1.8 s); a slot makes that at most 100 firings a second, for up to one
/// slot of added lateness. Nothing fires early.</item>
/// <item><see cref="Schedule"/> queues rows; a pump stores each queued batch's triggers in one Quartz transaction.</item>
/// <item>Triggers ignore misfires: however late, a trigger is acquired at once rather than left to
/// the misfire handler (and the store's threshold is short, 1 s, for anything else).</item>
/// <item>MaxConcurrency = MaxBatchSize = <see cref="TimerSchedulerOptions.MaxConcurrency"/> (default
/// 16): one acquisition round takes every trigger already due; the jobs only wait on the firer. The
/// fire-ahead window stays zero: a round takes nothing that is not due.</item>
/// <item>Quartz's connections use PRAGMA synchronous = NORMAL (<see cref="QuartzSqliteFactory"/>).</item>
/// </list>
/// On SQLite, not clustered: one scheduler per database file per process, named after the file, so a
/// restarted process takes over the triggers its predecessor left. On PostgreSQL, clustered: every
/// process is a node of one scheduler (named after the server and database), a trigger is acquired
/// by one node, and a node that stops checking in has its triggers recovered by the others.
/// </remarks>
internal sealed class QuartzTimerScheduler : ITimerScheduler, IAsyncDisposable
{
    public const string TriggerGroup = "workflow-timers";
    private static readonly JobKey JobKey = new("fire-timer", TriggerGroup);

    private readonly IWorkflowStore _store;
    private readonly WorkflowDatabase _database;
    private readonly TimerSchedulerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimerFirer _firer;
    private readonly Channel<TimerRow> _queue = Channel.CreateUnbounded<TimerRow>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly IJobDetail _job;
    private StandaloneSchedulerFactory? _factory;
    private IScheduler? _scheduler;
    private Task? _pump;
    private Task? _planner;
    private int _pendingCount;
    private long _planningPasses;
    private TaskCompletionSource _drained = CompletedSource();

    /// <param name="database">The workflow database (the store's own): Quartz keeps its triggers there too.</param>
    /// <param name="onFired">Called after each group of timers has fired: instances got inbox entries (the turn loop's wake-up).</param>
    public QuartzTimerScheduler(IWorkflowStore store, WorkflowDatabase database, Action? onFired = null, ILoggerFactory? loggerFactory = null, TimerSchedulerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(database);
        _store = store;
        _database = database;
        _options = options ?? new TimerSchedulerOptions();
        _options.Validate();
        _time = _options.Time;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<QuartzTimerScheduler>();
        _firer = new TimerFirer(store, _logger, onFired);
        _job = JobBuilder.Create<TimerJob>().WithIdentity(JobKey).StoreDurably().Build();
        SchedulerName = _options.SchedulerName ?? database.SchedulerName;
    }

    /// <summary>Quartz's scheduler name (its rows' SCHED_NAME): `workflow-` and a hash of where the database is.</summary>
    public string SchedulerName { get; }

    /// <summary>How many planning passes have queued their wake-ups (tests wait for one, then for <see cref="WhenScheduledAsync"/>).</summary>
    public long PlanningPasses => Interlocked.Read(ref _planningPasses);

    /// <summary>Starts Quartz (creating its tables if missing), then gives every timer row in the store its wake-up (the reconcile).</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_scheduler != null) throw new InvalidOperationException("the timer scheduler is started already");
        _factory = BuildFactory();
        _scheduler = await _factory.GetScheduler(cancellationToken);
        await _scheduler.AddJob(_job, new AddJobOptions { Replace = true }, cancellationToken);
        await _scheduler.Start(cancellationToken);
        // Every row gets its wake-up, and there is one for now whatever the rows: it fires anything
        // overdue, and the first firing's cost (JIT, prepared statements: some 50 ms) is paid at
        // start-up rather than by the first real timer.
        var now = _time.GetUtcNow().UtcDateTime;
        var rows = _store.DueTimers(now + _options.Horizon, int.MaxValue);
        await StoreWakesAsync(rows.Select(r => r.DueAt).Append(now), cancellationToken);
        _logger.LogInformation("Timer scheduler {Name} started; {Count} timers reconciled (those due within {Horizon})", SchedulerName, rows.Count, _options.Horizon);
        _pump = Task.Run(PumpAsync, CancellationToken.None);
        // The planning timer starts here, not in the task: a pass falls due half a horizon after the
        // start by the scheduler's clock, however late the task gets a thread (a test's clock may
        // move on as soon as this returns).
        var planning = new PeriodicTimer(_options.Horizon / 2, _time);
        _planner = Task.Run(() => PlanAsync(planning), CancellationToken.None);
    }

    /// <summary>
    /// Every half horizon, queues wake-ups for the rows that have come within the horizon. Rows due
    /// within a quarter of it have theirs already, from the pass before (at most half a horizon ago,
    /// it reached a horizon ahead), from the commit or from the start-up: left alone, their triggers
    /// are not replaced while Quartz may be about to fire them. A row whose wake-up was lost anyway
    /// is caught by the workers' sweep for overdue timers.
    /// </summary>
    private async Task PlanAsync(PeriodicTimer planning)
    {
        using (planning)
        {
            try
            {
                while (await planning.WaitForNextTickAsync(_stopping.Token))
                {
                    try
                    {
                        var now = _time.GetUtcNow().UtcDateTime;
                        var coming = _store.DueTimers(now + _options.Horizon, int.MaxValue).Where(r => r.DueAt > now + _options.Horizon / 4).ToList();
                        Schedule(coming);
                        Interlocked.Increment(ref _planningPasses);
                    }
                    catch (Exception e)
                    {
                        _logger.LogError(e, "Planning the timers coming within {Horizon} failed; trying again in {Delay}", _options.Horizon, _options.Horizon / 2);
                    }
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>
    /// Queues a wake-up for each timer due within the horizon and returns at once (the turn loop
    /// never waits on Quartz); a pump stores them in Quartz, see <see cref="WhenScheduledAsync"/>.
    /// Timers due later get theirs from the planning pass.
    /// </summary>
    public void Schedule(IReadOnlyList<TimerRow> timers)
    {
        var horizon = _time.GetUtcNow().UtcDateTime + _options.Horizon;
        if (timers.Any(t => t.DueAt > horizon)) timers = timers.Where(t => t.DueAt <= horizon).ToList();
        if (timers.Count == 0) return;
        lock (_queue)
        {
            if (_pendingCount == 0) _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _pendingCount += timers.Count;
        }
        foreach (var timer in timers) _queue.Writer.TryWrite(timer);
    }

    /// <summary>Completes once every timer passed to Schedule so far has its wake-up stored.</summary>
    public Task WhenScheduledAsync()
    {
        lock (_queue) return _drained.Task;
    }

    /// <summary>Stores the wake-ups [timers] need in one Quartz transaction, replacing any with the same keys.</summary>
    public Task StoreTriggersAsync(IReadOnlyList<TimerRow> timers, CancellationToken cancellationToken = default) =>
        StoreWakesAsync(timers.Select(t => t.DueAt), cancellationToken);

    /// <summary>Stores a trigger for the slot of each time in [dues], in one Quartz transaction.</summary>
    private async Task StoreWakesAsync(IEnumerable<DateTime> dues, CancellationToken cancellationToken)
    {
        var scheduler = _scheduler ?? throw new InvalidOperationException("the timer scheduler is not started");
        // A slot already over is the current one: every overdue row fires in the first wake-up.
        var now = SlotOf(_time.GetUtcNow().UtcDateTime);
        var triggers = dues.Select(SlotOf).Select(w => w < now ? now : w).Distinct().Select(Trigger).ToArray();
        if (triggers.Length > 0) await scheduler.ScheduleJob(_job, triggers, ScheduleJobOptions.Replacing, cancellationToken);
    }

    /// <summary>The end of the slot [due] falls in: the first multiple of Slot at or after it.</summary>
    internal DateTime SlotOf(DateTime due)
    {
        var slot = _options.Slot.Ticks;
        var ticks = DateTime.SpecifyKind(due, DateTimeKind.Utc).Ticks;
        return new DateTime((ticks + slot - 1) / slot * slot, DateTimeKind.Utc);
    }

    private async Task PumpAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<TimerRow>();
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token))
            {
                while (batch.Count < _options.ScheduleBatchSize && reader.TryRead(out var row)) batch.Add(row);
                await StoreWithRetryAsync(batch);
                lock (_queue)
                {
                    _pendingCount -= batch.Count;
                    if (_pendingCount == 0) _drained.TrySetResult();
                }
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Disposed: rows still queued get their triggers from the next start's reconcile.
        }
    }

    private async Task StoreWithRetryAsync(List<TimerRow> batch)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await StoreTriggersAsync(batch, _stopping.Token);
                return;
            }
            catch (Exception e) when (!_stopping.IsCancellationRequested)
            {
                _logger.LogError(e, "Could not schedule {Count} timers in Quartz; retrying in {Delay}", batch.Count, backoff);
                await Task.Delay(backoff, _stopping.Token);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    /// <summary>A one-shot trigger at [wake], keyed by it, that ignores misfires: late means fire at once.</summary>
    private ITrigger Trigger(DateTime wake) => TriggerBuilder.Create(_time)
        .WithIdentity(new TriggerKey(TriggerName(wake), TriggerGroup))
        .ForJob(JobKey)
        .UsingJobData(TimerJob.Write(wake))
        .StartAt(new DateTimeOffset(wake))
        .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.IgnoreMisfires))
        .Build();

    private StandaloneSchedulerFactory BuildFactory()
    {
        return QuartzSchedulerBuilder.Create(q =>
        {
            q.Services.AddSingleton(_loggerFactory);
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = SchedulerName;
                // In a cluster each process is one node of the same scheduler: shared triggers, a generated id of its own
                // (nodes sharing an id would each take the other's fired triggers for their own).
                if (_database.Clustered) s.GenerateInstanceId = true;
                s.MaxBatchSize = _options.MaxConcurrency;
                s.BatchTriggerAcquisitionFireAheadTimeWindow = TimeSpan.Zero;
                s.IdleWaitTime = _options.IdleWaitTime;
            });
            q.UseDefaultThreadPool(_options.MaxConcurrency);
            q.UseJobFactory(new TimerJob.Factory(_firer, _time));
            q.UseTimeProvider(_time);
            q.UsePersistentStore(p =>
            {
                _database.ConfigureQuartz(p, _options);
                p.ProvisionSchema();
                p.ConfigureStore(o =>
                {
                    o.MisfireThreshold = TimeSpan.FromSeconds(1);
                    o.StoreJobDataAsStrings = true;
                });
            });
        }).Build();
    }

    /// <summary>Stops Quartz without waiting for running jobs (a timer not fired yet fires after the next start).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        _queue.Writer.TryComplete();
        if (_pump != null) await _pump;
        if (_planner != null) await _planner;
        if (_factory != null) await _factory.DisposeAsync();
        _scheduler = null;
        _stopping.Dispose();
    }

    internal static string TriggerName(DateTime wake) => "wake-" + wake.ToString("yyyyMMdd'T'HHmmss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static TaskCompletionSource CompletedSource()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }
}
