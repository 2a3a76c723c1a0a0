using Workflow.Durable;

namespace Workflow.Benchmarks;

/// <summary>
/// A store that counts the write transactions that wrote something (the ones that cost an fsync
/// under synchronous=FULL): a claim that found nothing and an empty batch write nothing to the
/// WAL, so they are not counted. Everything else passes straight through.
/// </summary>
internal sealed class CountingStore(IWorkflowStore inner) : IWorkflowStore
{
    private long _writes;

    /// <summary>Told of the timers of each FireTimers call that fired some, once it has committed (the timer benchmark's clock).</summary>
    public Action<IReadOnlyList<TimerRow>>? TimersFired { get; init; }

    /// <summary>Write transactions so far that changed the database.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    private T Counted<T>(T result, bool wrote)
    {
        if (wrote) Interlocked.Increment(ref _writes);
        return result;
    }

    public void SaveProgram(string name, string source, string hash, IReadOnlyDictionary<string, string>? modules = null)
    {
        inner.SaveProgram(name, source, hash, modules);
        Interlocked.Increment(ref _writes);
    }

    public ProgramVersion? GetProgram(string hash) => inner.GetProgram(hash);

    public ProgramVersion? GetLatestProgram(string name) => inner.GetLatestProgram(name);

    public (InstanceView Instance, bool Created) StartInstance(NewInstance instance)
    {
        var started = inner.StartInstance(instance);
        return Counted(started, started.Created);
    }

    public InstanceView? GetInstance(string id) => inner.GetInstance(id);

    public InstancePage ListInstances(InstanceQuery query) => inner.ListInstances(query);

    public DeliveryResult Signal(string instanceId, string name, string payloadJson)
    {
        var result = inner.Signal(instanceId, name, payloadJson);
        return Counted(result, result == DeliveryResult.Accepted);
    }

    public DeliveryResult Cancel(string instanceId)
    {
        var result = inner.Cancel(instanceId);
        return Counted(result, result == DeliveryResult.Accepted);
    }

    public IReadOnlyList<ClaimedInstance> ClaimInstances(string worker, int max, DateTime now, DateTime leaseUntil, ClaimLane lane = ClaimLane.All)
    {
        var claimed = inner.ClaimInstances(worker, max, now, leaseUntil, lane);
        return Counted(claimed, claimed.Count > 0);
    }

    public IReadOnlyList<long?> CommitTurns(IReadOnlyList<TurnCommit> commits) => Counted(inner.CommitTurns(commits), commits.Count > 0);

    public IReadOnlyList<ActivityTask> ClaimActivities(string worker, int max, DateTime now, DateTime leaseUntil)
    {
        var claimed = inner.ClaimActivities(worker, max, now, leaseUntil);
        return Counted(claimed, claimed.Count > 0);
    }

    public bool RecordActivityAttempt(long taskId, string worker, int attempts, string error, DateTime leaseUntil)
    {
        var recorded = inner.RecordActivityAttempt(taskId, worker, attempts, error, leaseUntil);
        return Counted(recorded, recorded);
    }

    public IReadOnlyList<long> RenewActivityLeases(string worker, IReadOnlyList<long> taskIds, DateTime leaseUntil)
    {
        var held = inner.RenewActivityLeases(worker, taskIds, leaseUntil);
        return Counted(held, held.Count > 0);
    }

    public IWorkerRegistration RegisterWorker(string workerId, DateTime now) => Counted(inner.RegisterWorker(workerId, now), true);

    public IReadOnlyList<string> ReleaseDeadWorkers(string self, DateTime silentSince)
    {
        var dead = inner.ReleaseDeadWorkers(self, silentSince);
        return Counted(dead, dead.Count > 0);
    }

    public void ProbeWrite(DateTime now)
    {
        inner.ProbeWrite(now);
        Interlocked.Increment(ref _writes);
    }

    public void CompleteActivities(IReadOnlyList<ActivityOutcome> outcomes)
    {
        inner.CompleteActivities(outcomes);
        if (outcomes.Count > 0) Interlocked.Increment(ref _writes);
    }

    public IReadOnlyList<TimerRow> ListTimers() => inner.ListTimers();

    public IReadOnlyList<TimerRow> DueTimers(DateTime now, int max) => inner.DueTimers(now, max);

    public int FireTimers(IReadOnlyList<TimerRow> timers)
    {
        var fired = inner.FireTimers(timers);
        if (fired > 0) TimersFired?.Invoke(timers);
        return Counted(fired, fired > 0);
    }

    public WorkSummary Summary() => inner.Summary();
    /// <summary>Nothing: whoever made the wrapped store disposes it.</summary>
    public void Dispose() { }
    public IReadOnlyList<Deployment> ListDeployments() => inner.ListDeployments();
    public PendingWork GetPendingWork(string instanceId) => inner.GetPendingWork(instanceId);

    // The request paths' calls: counted as their synchronous namesakes are.

    public async Task SaveProgramAsync(string name, string source, string hash, IReadOnlyDictionary<string, string>? modules, CancellationToken cancellation)
    {
        await inner.SaveProgramAsync(name, source, hash, modules, cancellation);
        Interlocked.Increment(ref _writes);
    }

    public Task<ProgramVersion?> GetLatestProgramAsync(string name, CancellationToken cancellation) => inner.GetLatestProgramAsync(name, cancellation);

    public Task<IReadOnlyList<Deployment>> ListDeploymentsAsync(CancellationToken cancellation) => inner.ListDeploymentsAsync(cancellation);

    public async Task<(InstanceView Instance, bool Created)> StartInstanceAsync(NewInstance instance, CancellationToken cancellation)
    {
        var started = await inner.StartInstanceAsync(instance, cancellation);
        return Counted(started, started.Created);
    }

    public Task<InstanceView?> GetInstanceAsync(string id, CancellationToken cancellation) => inner.GetInstanceAsync(id, cancellation);

    public Task<InstancePage> ListInstancesAsync(InstanceQuery query, CancellationToken cancellation) => inner.ListInstancesAsync(query, cancellation);

    public Task<PendingWork> GetPendingWorkAsync(string instanceId, CancellationToken cancellation) => inner.GetPendingWorkAsync(instanceId, cancellation);

    public async Task<DeliveryResult> SignalAsync(string instanceId, string name, string payloadJson, CancellationToken cancellation)
    {
        var result = await inner.SignalAsync(instanceId, name, payloadJson, cancellation);
        return Counted(result, result == DeliveryResult.Accepted);
    }

    public async Task<DeliveryResult> CancelAsync(string instanceId, CancellationToken cancellation)
    {
        var result = await inner.CancelAsync(instanceId, cancellation);
        return Counted(result, result == DeliveryResult.Accepted);
    }

    public async Task ProbeWriteAsync(DateTime now, CancellationToken cancellation)
    {
        await inner.ProbeWriteAsync(now, cancellation);
        Interlocked.Increment(ref _writes);
    }

    public Task<WorkSummary> SummaryAsync(CancellationToken cancellation) => inner.SummaryAsync(cancellation);
}
