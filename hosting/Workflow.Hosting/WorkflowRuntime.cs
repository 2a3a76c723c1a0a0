using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Workflow.Durable;
using Workflow.Hosting.Activities;
using Workflow.Hosting.Diagnostics;
using Workflow.Hosting.Timers;
using Workflow.Runtime;

namespace Workflow.Hosting;

/// <summary>
/// A host's workflow runtime (one per service provider): the database, the client the REST API
/// uses, and the worker the background service runs. The database is opened (and migrated) by
/// <see cref="Start"/>, which the background service calls when the host starts.
/// </summary>
internal sealed class WorkflowRuntime : IAsyncDisposable
{
    private readonly WorkflowOptions _options;
    private readonly ActivityRegistry _activities;
    private readonly TimeProvider _clock;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private IWorkflowStore? _store;
    private WorkflowDatabase? _database;
    private DurableWorker? _worker;
    private Task? _running;

    public WorkflowRuntime(IOptions<WorkflowOptions> options, ActivityRegistry activities, TimeProvider clock, ILoggerFactory loggers, WorkflowInstrumentation instrumentation)
    {
        _options = options.Value;
        _activities = activities;
        _clock = clock;
        _loggers = loggers;
        _logger = loggers.CreateLogger("Workflow.Host");
        Instrumentation = instrumentation;
    }

    public WorkflowInstrumentation Instrumentation { get; }

    /// <summary>Where the database is; the runtime must have started.</summary>
    public WorkflowDatabase Database => _database ?? throw new InvalidOperationException("the workflow runtime has not started: the host must start before its API is used");

    /// <summary>The database; the runtime must have started.</summary>
    public IWorkflowStore Store => _store ?? throw new InvalidOperationException("the workflow runtime has not started: the host must start before its API is used");

    /// <summary>A client of the database that holds payloads to <see cref="WorkflowOptions.MaxPayloadBytes"/>.</summary>
    public WorkflowClient Client => new(Store, _options.MaxPayloadBytes);

    /// <summary>
    /// Opens (creating and migrating) the database, checks that it takes writes, and deploys the
    /// programs folder. Idempotent. Throws, naming the database, when it cannot be opened or written:
    /// an API-only host (RunWorker false) stops there too, rather than serving requests it cannot carry out.
    /// </summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_store != null) return;
            var database = _options.Database();
            var store = database.OpenForWriting(_clock);
            try
            {
                if (_options.ProgramsDirectory != null) ProgramFolder.Deploy(new WorkflowClient(store, _options.MaxPayloadBytes), _options.ProgramsDirectory, _logger);
            }
            catch
            {
                store.Dispose();
                throw;
            }
            _store = store;
            _database = database;
            _logger.LogInformation("workflow database {Database}", database.Description);
        }
    }

    /// <summary>
    /// Runs this process's worker until [stop]. The runtime keeps the run, so that disposing it
    /// (when the host shuts down) waits for the worker before closing the database, even when the
    /// host's shutdown timeout gave up on the background service first.
    /// </summary>
    public Task RunWorkerAsync(CancellationToken stop)
    {
        lock (_gate)
        {
            if (_running != null) throw new InvalidOperationException("this runtime's worker is running already");
            _running = RunWorker(stop);
            return _running;
        }
    }

    /// <summary>Why this process's worker stopped when it failed; null while it runs, when it stopped as asked, or when it never ran.</summary>
    public Exception? WorkerFailure
    {
        get
        {
            lock (_gate) return _running is { IsFaulted: true } running ? running.Exception!.InnerException : null;
        }
    }

    private async Task RunWorker(CancellationToken stop)
    {
        await using var worker = CreateWorker();
        await worker.RunAsync(stop);
    }

    /// <summary>The worker the background service runs (turns, activities, timers), with this runtime's options and clock.</summary>
    private DurableWorker CreateWorker()
    {
        var interpreter = new InterpreterOptions { Clock = _clock };
        var options = new DurableWorkerOptions
        {
            Turns = new WorkerOptions
            {
                Lease = _options.Lease,
                BatchSize = _options.BatchSize,
                Clock = _clock,
                Turn = _options.Limits.TurnOptions(interpreter, _options.CommitMode, _options.MaxPayloadBytes),
            },
            Activities = _options.Activities,
            Timers = new TimerSchedulerOptions { Time = _clock },
            TimerSweep = _options.TimerSweep,
            Journal = _options.Journal.PrunerOptions(),
        };
        var worker = new DurableWorker(Store, _database!, _activities, options, _loggers, reported: Instrumentation.Record);
        lock (_gate) _worker = worker;
        return worker;
    }

    /// <summary>Tells this process's worker that new work is there (after an API start, signal, cancel or resume), so it does not wait for its poll.</summary>
    public void Wake()
    {
        DurableWorker? worker;
        lock (_gate) worker = _worker;
        worker?.Wake();
    }

    /// <summary>
    /// Tells this process's worker of timer rows written outside a turn (a rewind, a fork), so they
    /// fire when due; without a worker here, another worker's sweep fires them.
    /// </summary>
    public void ScheduleTimers(IReadOnlyList<TimerRow> timers)
    {
        DurableWorker? worker;
        lock (_gate) worker = _worker;
        worker?.ScheduleTimers(timers);
    }

    public async ValueTask DisposeAsync()
    {
        Task? running;
        lock (_gate) running = _running;
        if (running is { IsCompleted: false })
        {
            // The background service's token is cancelled by now; an activity that ignores its
            // cancellation token can still hold the worker, and the store must outlive it.
            _logger.LogWarning("waiting for the workflow worker to stop before closing the database");
            try
            {
                await running;
            }
            catch (Exception)
            {
                // Already reported: the background service awaits the same task and the host logs its failure.
            }
        }
        lock (_gate)
        {
            _store?.Dispose();
            _store = null;
        }
    }
}
