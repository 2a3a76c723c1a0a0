using System.Collections.Concurrent;
using Workflow.Durable;

namespace Workflow.Hosting.Tests;

/// <summary>
/// The real store with a window on the calls the hosting code makes: it records the activity and
/// timer calls, and can make the next few ClaimActivities fail as a broken database would.
/// Everything goes through to the real store.
/// </summary>
internal sealed class SpyStore(IWorkflowStore inner) : IWorkflowStore
{
    public readonly ConcurrentQueue<(long TaskId, int Attempts, string Error)> Recorded = new();
    public readonly ConcurrentQueue<int> CompleteBatches = new();
    public readonly ConcurrentQueue<(TimerRow Row, DateTime FiredAt)> Fired = new();
    public int ClaimFailuresLeft;
    /// <summary>Called after each RecordActivityAttempt with the task id: what another process does during a retry's backoff.</summary>
    public Action<long>? AfterRecord;
    public int Claims;

    public void SaveProgram(string name, string source, string hash, IReadOnlyDictionary<string, string>? modules = null) => inner.SaveProgram(name, source, hash, modules);
    public ProgramVersion? GetProgram(string hash) => inner.GetProgram(hash);
    public ProgramVersion? GetLatestProgram(string name) => inner.GetLatestProgram(name);
    public (InstanceView Instance, bool Created) StartInstance(NewInstance instance) => inner.StartInstance(instance);
    public InstanceView? GetInstance(string id) => inner.GetInstance(id);
    public InstancePage ListInstances(InstanceQuery query) => inner.ListInstances(query);
    public DeliveryResult Signal(string instanceId, string name, string payloadJson) => inner.Signal(instanceId, name, payloadJson);
    public DeliveryResult Cancel(string instanceId) => inner.Cancel(instanceId);
    public IReadOnlyList<ClaimedInstance> ClaimInstances(string worker, int max, DateTime now, DateTime leaseUntil, ClaimLane lane = ClaimLane.All) => inner.ClaimInstances(worker, max, now, leaseUntil, lane);
    /// <summary>Commits it says true of are refused, with every commit grouped with them, as a database refuses a row too big.</summary>
    public Func<TurnCommit, bool>? RefuseCommit;
    public int CommitCalls;

    public IReadOnlyList<long?> CommitTurns(IReadOnlyList<TurnCommit> commits)
    {
        Interlocked.Increment(ref CommitCalls);
        if (RefuseCommit is { } refuse && commits.Any(refuse)) throw new InvalidOperationException("string or blob too big (simulated)");
        return inner.CommitTurns(commits);
    }

    public IReadOnlyList<ActivityTask> ClaimActivities(string worker, int max, DateTime now, DateTime leaseUntil)
    {
        Interlocked.Increment(ref Claims);
        if (Interlocked.Decrement(ref ClaimFailuresLeft) >= 0) throw new InvalidOperationException("database is locked (simulated)");
        return inner.ClaimActivities(worker, max, now, leaseUntil);
    }

    public bool RecordActivityAttempt(long taskId, string worker, int attempts, string error, DateTime leaseUntil)
    {
        Recorded.Enqueue((taskId, attempts, error));
        var recorded = inner.RecordActivityAttempt(taskId, worker, attempts, error, leaseUntil);
        AfterRecord?.Invoke(taskId);
        return recorded;
    }

    public IReadOnlyList<long> RenewActivityLeases(string worker, IReadOnlyList<long> taskIds, DateTime leaseUntil) => inner.RenewActivityLeases(worker, taskIds, leaseUntil);
    public IWorkerRegistration RegisterWorker(string workerId, DateTime now) => inner.RegisterWorker(workerId, now);
    public IReadOnlyList<string> ReleaseDeadWorkers(string self, DateTime silentSince) => inner.ReleaseDeadWorkers(self, silentSince);
    public void ProbeWrite(DateTime now) => inner.ProbeWrite(now);

    public void CompleteActivities(IReadOnlyList<ActivityOutcome> outcomes)
    {
        inner.CompleteActivities(outcomes);
        CompleteBatches.Enqueue(outcomes.Count);
    }

    public IReadOnlyList<TimerRow> ListTimers() => inner.ListTimers();
    public IReadOnlyList<TimerRow> DueTimers(DateTime now, int max) => inner.DueTimers(now, max);

    public int FireTimers(IReadOnlyList<TimerRow> timers)
    {
        var fired = inner.FireTimers(timers);
        var at = DateTime.UtcNow;
        foreach (var row in timers) Fired.Enqueue((row, at));
        return fired;
    }

    public WorkSummary Summary() => inner.Summary();
    /// <summary>Nothing: whoever made the wrapped store disposes it.</summary>
    public void Dispose() { }
    public IReadOnlyList<Deployment> ListDeployments() => inner.ListDeployments();
    public PendingWork GetPendingWork(string instanceId) => inner.GetPendingWork(instanceId);

    public Task SaveProgramAsync(string name, string source, string hash, IReadOnlyDictionary<string, string>? modules, CancellationToken cancellation) =>
        inner.SaveProgramAsync(name, source, hash, modules, cancellation);
    public Task<ProgramVersion?> GetLatestProgramAsync(string name, CancellationToken cancellation) => inner.GetLatestProgramAsync(name, cancellation);
    public Task<IReadOnlyList<Deployment>> ListDeploymentsAsync(CancellationToken cancellation) => inner.ListDeploymentsAsync(cancellation);
    public Task<(InstanceView Instance, bool Created)> StartInstanceAsync(NewInstance instance, CancellationToken cancellation) => inner.StartInstanceAsync(instance, cancellation);
    public Task<InstanceView?> GetInstanceAsync(string id, CancellationToken cancellation) => inner.GetInstanceAsync(id, cancellation);
    public Task<InstancePage> ListInstancesAsync(InstanceQuery query, CancellationToken cancellation) => inner.ListInstancesAsync(query, cancellation);
    public Task<PendingWork> GetPendingWorkAsync(string instanceId, CancellationToken cancellation) => inner.GetPendingWorkAsync(instanceId, cancellation);
    public Task<DeliveryResult> SignalAsync(string instanceId, string name, string payloadJson, CancellationToken cancellation) =>
        inner.SignalAsync(instanceId, name, payloadJson, cancellation);
    public Task<DeliveryResult> CancelAsync(string instanceId, CancellationToken cancellation) => inner.CancelAsync(instanceId, cancellation);
    public Task ProbeWriteAsync(DateTime now, CancellationToken cancellation) => inner.ProbeWriteAsync(now, cancellation);
    public Task<WorkSummary> SummaryAsync(CancellationToken cancellation) => inner.SummaryAsync(cancellation);
}
