using Workflow.Durable;

namespace Workflow.Persistence.Tests;

/// <summary>
/// A store whose synchronous request-path methods (deploy, start, read, list, signal, cancel, probe,
/// summary) are answered by the wrapped store's Async ones, so that the store tests written against
/// the synchronous interface check the Async methods too. Each call runs on the thread pool, as a
/// request does, and is waited for here; everything else passes straight through.
/// </summary>
internal sealed class AsyncCallsStore(IWorkflowStore inner) : IWorkflowStore
{
    // Never cancelled; a token that can be makes the providers take the paths a request's token takes.
    private readonly CancellationTokenSource _never = new();

    private T Await<T>(Func<CancellationToken, Task<T>> call) => Task.Run(() => call(_never.Token)).GetAwaiter().GetResult();

    private void Await(Func<CancellationToken, Task> call) => Task.Run(() => call(_never.Token)).GetAwaiter().GetResult();

    public void SaveProgram(string name, string source, string hash, IReadOnlyDictionary<string, string>? modules = null) =>
        Await(c => inner.SaveProgramAsync(name, source, hash, modules, c));
    public ProgramVersion? GetLatestProgram(string name) => Await(c => inner.GetLatestProgramAsync(name, c));
    public IReadOnlyList<Deployment> ListDeployments() => Await(inner.ListDeploymentsAsync);
    public (InstanceView Instance, bool Created) StartInstance(NewInstance instance) => Await(c => inner.StartInstanceAsync(instance, c));
    public InstanceView? GetInstance(string id) => Await(c => inner.GetInstanceAsync(id, c));
    public InstancePage ListInstances(InstanceQuery query) => Await(c => inner.ListInstancesAsync(query, c));
    public PendingWork GetPendingWork(string instanceId) => Await(c => inner.GetPendingWorkAsync(instanceId, c));
    public DeliveryResult Signal(string instanceId, string name, string payloadJson) => Await(c => inner.SignalAsync(instanceId, name, payloadJson, c));
    public DeliveryResult Cancel(string instanceId) => Await(c => inner.CancelAsync(instanceId, c));
    public void ProbeWrite(DateTime now) => Await(c => inner.ProbeWriteAsync(now, c));
    public WorkSummary Summary() => Await(inner.SummaryAsync);

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

    public ProgramVersion? GetProgram(string hash) => inner.GetProgram(hash);
    public IReadOnlyList<ClaimedInstance> ClaimInstances(string worker, int max, DateTime now, DateTime leaseUntil, ClaimLane lane = ClaimLane.All) =>
        inner.ClaimInstances(worker, max, now, leaseUntil, lane);
    public IReadOnlyList<long?> CommitTurns(IReadOnlyList<TurnCommit> commits) => inner.CommitTurns(commits);
    public IReadOnlyList<ActivityTask> ClaimActivities(string worker, int max, DateTime now, DateTime leaseUntil) => inner.ClaimActivities(worker, max, now, leaseUntil);
    public bool RecordActivityAttempt(long taskId, string worker, int attempts, string error, DateTime leaseUntil) =>
        inner.RecordActivityAttempt(taskId, worker, attempts, error, leaseUntil);
    public IReadOnlyList<long> RenewActivityLeases(string worker, IReadOnlyList<long> taskIds, DateTime leaseUntil) => inner.RenewActivityLeases(worker, taskIds, leaseUntil);
    public IWorkerRegistration RegisterWorker(string workerId, DateTime now) => inner.RegisterWorker(workerId, now);
    public IReadOnlyList<string> ReleaseDeadWorkers(string self, DateTime silentSince) => inner.ReleaseDeadWorkers(self, silentSince);
    public void CompleteActivities(IReadOnlyList<ActivityOutcome> outcomes) => inner.CompleteActivities(outcomes);
    public IReadOnlyList<TimerRow> ListTimers() => inner.ListTimers();
    public IReadOnlyList<TimerRow> DueTimers(DateTime now, int max) => inner.DueTimers(now, max);
    public int FireTimers(IReadOnlyList<TimerRow> timers) => inner.FireTimers(timers);

    /// <summary>Closes the wrapped store: the test made it for this wrapper alone.</summary>
    public void Dispose()
    {
        inner.Dispose();
        _never.Dispose();
    }
}
