namespace Workflow.Durable;

/// <summary>How a worker proves it is alive, and how soon a silent one counts as dead.</summary>
internal sealed class LivenessOptions
{
    /// <summary>How often the worker stamps its heartbeat and looks for dead workers. The default value is 1 second.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a worker's heartbeat may be silent before it counts as dead even though its lock is
    /// held (a hung process, a machine cut off while its database connection lingers). A process
    /// that ended is found at once by its lock; this is the fallback. The default value is 10 seconds.
    /// </summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// A worker's life in the database (DESIGN.md "Recovery in seconds"): it registers before it claims
/// anything, stamps a heartbeat every second, and four times a second releases the claims of
/// workers that are gone, so their instances and activity tasks are taken up within a second
/// instead of when their leases run out. The first look happens at registration: a worker restarted after a
/// crash takes its predecessor's claims back before its first claim. Disposing it is the graceful
/// end: its own claims are released for others at once.
/// </summary>
internal sealed class WorkerLiveness : IDisposable
{
    private readonly IWorkflowStore _store;
    private readonly IWorkerRegistration _registration;
    private readonly LivenessOptions _options;
    private readonly TimeProvider _clock;
    private readonly RuntimeEvents _events;
    private readonly Action _released;

    private WorkerLiveness(IWorkflowStore store, IWorkerRegistration registration, LivenessOptions options, TimeProvider clock, RuntimeEvents events, Action released)
    {
        _store = store;
        _registration = registration;
        _options = options;
        _clock = clock;
        _events = events;
        _released = released;
    }

    public string WorkerId => _registration.WorkerId;

    /// <summary>
    /// Registers [workerId] and releases dead workers' claims once. Throws when the database cannot be
    /// written (the worker must not start). [clock] stamps the heartbeats (the worker's lease clock);
    /// [released] is told whenever claims were released (wake the loops).
    /// </summary>
    public static WorkerLiveness Register(IWorkflowStore store, string workerId, LivenessOptions? options = null, TimeProvider? clock = null,
        RuntimeEvents? events = null, Action? released = null)
    {
        options ??= new LivenessOptions();
        clock ??= TimeProvider.System;
        var registration = store.RegisterWorker(workerId, clock.GetUtcNow().UtcDateTime);
        var liveness = new WorkerLiveness(store, registration, options, clock, events ?? new RuntimeEvents(), released ?? (() => { }));
        try
        {
            liveness.ReleaseDead();
        }
        catch (Exception e)
        {
            // Not fatal: the next beat looks again.
            liveness._events.Error?.Invoke(e, "looking for dead workers at start failed; looking again in a second");
        }
        return liveness;
    }

    /// <summary>Releases the claims of workers that are gone; returns their ids.</summary>
    public IReadOnlyList<string> ReleaseDead()
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var dead = _store.ReleaseDeadWorkers(WorkerId, now - _options.HeartbeatTimeout);
        if (dead.Count == 0) return dead;
        _events.Info?.Invoke($"released the claims of {dead.Count} dead worker(s): {string.Join(", ", dead)}");
        _released();
        return dead;
    }

    /// <summary>
    /// Beats until [stop]: looks for dead workers four times a heartbeat (a look is one cheap query,
    /// and it is what bounds how long a dead worker's claims wait when another worker lives), and
    /// stamps the heartbeat once a heartbeat. A failed beat is reported and the next one tries again.
    /// </summary>
    public async Task RunAsync(CancellationToken stop)
    {
        const int looksPerBeat = 4;
        using var timer = new PeriodicTimer(_options.Heartbeat / looksPerBeat, _clock);
        try
        {
            for (var tick = 1; await timer.WaitForNextTickAsync(stop); tick++)
            {
                try
                {
                    if (tick % looksPerBeat == 0 && !_registration.Heartbeat(_clock.GetUtcNow().UtcDateTime))
                        _events.Warning?.Invoke($"worker {WorkerId} had been taken for dead (its heartbeat was late by more than {_options.HeartbeatTimeout.TotalSeconds:0.#} s) and its claims released; registered again");
                    ReleaseDead();
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    _events.Error?.Invoke(e, $"worker {WorkerId}: the heartbeat or the look for dead workers failed; trying again");
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>The graceful end: releases this worker's own claims and its registration.</summary>
    public void Dispose() => _registration.Dispose();
}
