using Workflow.Durable;
using Workflow.Tests.Shared;

namespace Workflow.Benchmarks;

/// <summary>
/// A store that counts the write transactions that wrote something (the ones that cost an fsync
/// under synchronous=FULL): a claim that found nothing and an empty batch write nothing to the
/// WAL, so they are not counted. Everything else passes straight through.
/// </summary>
internal sealed class CountingStore(IWorkflowStore inner) : PassThroughStore(inner)
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

    public override void SaveProgram(string name, string source, string hash, IReadOnlyDictionary<string, string>? modules = null)
    {
        Inner.SaveProgram(name, source, hash, modules);
        Interlocked.Increment(ref _writes);
    }

    public override (InstanceView Instance, bool Created) StartInstance(NewInstance instance)
    {
        var started = Inner.StartInstance(instance);
        return Counted(started, started.Created);
    }

    public override DeliveryResult Signal(string instanceId, string name, string payloadJson)
    {
        var result = Inner.Signal(instanceId, name, payloadJson);
        return Counted(result, result == DeliveryResult.Accepted);
    }

    public override DeliveryResult Cancel(string instanceId)
    {
        var result = Inner.Cancel(instanceId);
        return Counted(result, result == DeliveryResult.Accepted);
    }

    public override IReadOnlyList<ClaimedInstance> ClaimInstances(string worker, int max, DateTime now, DateTime leaseUntil, ClaimLane lane = ClaimLane.All)
    {
        var claimed = Inner.ClaimInstances(worker, max, now, leaseUntil, lane);
        return Counted(claimed, claimed.Count > 0);
    }

    public override IReadOnlyList<long?> CommitTurns(IReadOnlyList<TurnCommit> commits) => Counted(Inner.CommitTurns(commits), commits.Count > 0);

    public override IReadOnlyList<ActivityTask> ClaimActivities(string worker, int max, DateTime now, DateTime leaseUntil)
    {
        var claimed = Inner.ClaimActivities(worker, max, now, leaseUntil);
        return Counted(claimed, claimed.Count > 0);
    }

    public override bool RecordActivityAttempt(long taskId, string worker, int attempts, string error, DateTime leaseUntil)
    {
        var recorded = Inner.RecordActivityAttempt(taskId, worker, attempts, error, leaseUntil);
        return Counted(recorded, recorded);
    }

    public override IReadOnlyList<long> RenewActivityLeases(string worker, IReadOnlyList<long> taskIds, DateTime leaseUntil)
    {
        var held = Inner.RenewActivityLeases(worker, taskIds, leaseUntil);
        return Counted(held, held.Count > 0);
    }

    public override IWorkerRegistration RegisterWorker(string workerId, DateTime now) => Counted(Inner.RegisterWorker(workerId, now), true);

    public override IReadOnlyList<string> ReleaseDeadWorkers(string self, DateTime silentSince)
    {
        var dead = Inner.ReleaseDeadWorkers(self, silentSince);
        return Counted(dead, dead.Count > 0);
    }

    public override void ProbeWrite(DateTime now)
    {
        Inner.ProbeWrite(now);
        Interlocked.Increment(ref _writes);
    }

    public override void CompleteActivities(IReadOnlyList<ActivityOutcome> outcomes)
    {
        Inner.CompleteActivities(outcomes);
        if (outcomes.Count > 0) Interlocked.Increment(ref _writes);
    }

    public override int FireTimers(IReadOnlyList<TimerRow> timers)
    {
        var fired = Inner.FireTimers(timers);
        if (fired > 0) TimersFired?.Invoke(timers);
        return Counted(fired, fired > 0);
    }

    // The request paths' calls: counted as their synchronous namesakes are.

    public override async Task SaveProgramAsync(string name, string source, string hash, IReadOnlyDictionary<string, string>? modules, CancellationToken cancellation)
    {
        await Inner.SaveProgramAsync(name, source, hash, modules, cancellation);
        Interlocked.Increment(ref _writes);
    }

    public override async Task<(InstanceView Instance, bool Created)> StartInstanceAsync(NewInstance instance, CancellationToken cancellation)
    {
        var started = await Inner.StartInstanceAsync(instance, cancellation);
        return Counted(started, started.Created);
    }

    public override async Task<DeliveryResult> SignalAsync(string instanceId, string name, string payloadJson, CancellationToken cancellation)
    {
        var result = await Inner.SignalAsync(instanceId, name, payloadJson, cancellation);
        return Counted(result, result == DeliveryResult.Accepted);
    }

    public override async Task<DeliveryResult> CancelAsync(string instanceId, CancellationToken cancellation)
    {
        var result = await Inner.CancelAsync(instanceId, cancellation);
        return Counted(result, result == DeliveryResult.Accepted);
    }

    public override async Task ProbeWriteAsync(DateTime now, CancellationToken cancellation)
    {
        await Inner.ProbeWriteAsync(now, cancellation);
        Interlocked.Increment(ref _writes);
    }
}
