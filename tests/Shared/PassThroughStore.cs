using Workflow.Durable;

namespace Workflow.Tests.Shared;

/// <summary>
/// A store that hands every call to [inner], for test doubles to derive from and override only the
/// calls they watch or change (SpyStore, CountingStore, AsyncCallsStore). Linked into the test
/// projects that have such doubles. Disposing it does nothing: whoever made [inner] disposes it.
/// </summary>
internal abstract class PassThroughStore(IWorkflowStore inner) : IWorkflowStore
{
    protected IWorkflowStore Inner => inner;

    public virtual void SaveProgram(string name, string source, string hash, IReadOnlyDictionary<string, string>? modules = null) => inner.SaveProgram(name, source, hash, modules);
    public virtual ProgramVersion? GetProgram(string hash) => inner.GetProgram(hash);
    public virtual ProgramVersion? GetLatestProgram(string name) => inner.GetLatestProgram(name);
    public virtual IReadOnlyList<Deployment> ListDeployments() => inner.ListDeployments();
    public virtual IReadOnlyList<Deployment> ListDeploymentsOf(string name) => inner.ListDeploymentsOf(name);
    public virtual (InstanceView Instance, bool Created) StartInstance(NewInstance instance) => inner.StartInstance(instance);
    public virtual InstanceView? GetInstance(string id) => inner.GetInstance(id);
    public virtual InstancePage ListInstances(InstanceQuery query) => inner.ListInstances(query);
    public virtual PendingWork GetPendingWork(string instanceId) => inner.GetPendingWork(instanceId);
    public virtual JournalPage? GetHistory(string instanceId, int afterTurn, int limit) => inner.GetHistory(instanceId, afterTurn, limit);
    public virtual TurnPickle? GetTurnPickle(string instanceId, int turn) => inner.GetTurnPickle(instanceId, turn);
    public virtual DeliveryResult Terminate(string instanceId, string? reason) => inner.Terminate(instanceId, reason);
    public virtual (RewindResult Result, IReadOnlyList<TimerRow> Timers) Rewind(string instanceId, int expectedTurns, byte[] pickle, RewindPlan plan) =>
        inner.Rewind(instanceId, expectedTurns, pickle, plan);
    public virtual (bool Created, IReadOnlyList<TimerRow> Timers) StartFork(NewInstance fork, byte[] pickle, RewindPlan plan) => inner.StartFork(fork, pickle, plan);
    public virtual DeliveryResult Signal(string instanceId, string name, string payloadJson) => inner.Signal(instanceId, name, payloadJson);
    public virtual DeliveryResult Cancel(string instanceId) => inner.Cancel(instanceId);
    public virtual DeliveryResult Pause(string instanceId) => inner.Pause(instanceId);
    public virtual DeliveryResult Resume(string instanceId) => inner.Resume(instanceId);
    public virtual IReadOnlyList<ClaimedInstance> ClaimInstances(string worker, int max, DateTime now, DateTime leaseUntil, ClaimLane lane = ClaimLane.All) =>
        inner.ClaimInstances(worker, max, now, leaseUntil, lane);
    public virtual IReadOnlyList<long?> CommitTurns(IReadOnlyList<TurnCommit> commits) => inner.CommitTurns(commits);
    public virtual IReadOnlyList<ActivityTask> ClaimActivities(string worker, int max, DateTime now, DateTime leaseUntil) => inner.ClaimActivities(worker, max, now, leaseUntil);
    public virtual bool RecordActivityAttempt(long taskId, string worker, int attempts, string error, DateTime leaseUntil) =>
        inner.RecordActivityAttempt(taskId, worker, attempts, error, leaseUntil);
    public virtual IReadOnlyList<long> RenewActivityLeases(string worker, IReadOnlyList<long> taskIds, DateTime leaseUntil) => inner.RenewActivityLeases(worker, taskIds, leaseUntil);
    public virtual IWorkerRegistration RegisterWorker(string workerId, DateTime now) => inner.RegisterWorker(workerId, now);
    public virtual IReadOnlyList<string> ReleaseDeadWorkers(string self, DateTime silentSince) => inner.ReleaseDeadWorkers(self, silentSince);
    public virtual void ProbeWrite(DateTime now) => inner.ProbeWrite(now);
    public virtual void CompleteActivities(IReadOnlyList<ActivityOutcome> outcomes) => inner.CompleteActivities(outcomes);
    public virtual IReadOnlyList<TimerRow> ListTimers() => inner.ListTimers();
    public virtual IReadOnlyList<TimerRow> DueTimers(DateTime now, int max) => inner.DueTimers(now, max);
    public virtual int FireTimers(IReadOnlyList<TimerRow> timers) => inner.FireTimers(timers);
    public virtual WorkSummary Summary() => inner.Summary();
    public virtual JournalPruning PruneJournal(DateTime now, JournalRetention policy, string? from = null) => inner.PruneJournal(now, policy, from);

    public virtual Task SaveProgramAsync(string name, string source, string hash, IReadOnlyDictionary<string, string>? modules, CancellationToken cancellation) =>
        inner.SaveProgramAsync(name, source, hash, modules, cancellation);
    public virtual Task<ProgramVersion?> GetLatestProgramAsync(string name, CancellationToken cancellation) => inner.GetLatestProgramAsync(name, cancellation);
    public virtual Task<IReadOnlyList<Deployment>> ListDeploymentsAsync(CancellationToken cancellation) => inner.ListDeploymentsAsync(cancellation);
    public virtual Task<IReadOnlyList<Deployment>> ListDeploymentsOfAsync(string name, CancellationToken cancellation) => inner.ListDeploymentsOfAsync(name, cancellation);
    public virtual Task<ProgramVersion?> GetProgramAsync(string hash, CancellationToken cancellation) => inner.GetProgramAsync(hash, cancellation);
    public virtual Task<(InstanceView Instance, bool Created)> StartInstanceAsync(NewInstance instance, CancellationToken cancellation) =>
        inner.StartInstanceAsync(instance, cancellation);
    public virtual Task<InstanceView?> GetInstanceAsync(string id, CancellationToken cancellation) => inner.GetInstanceAsync(id, cancellation);
    public virtual Task<InstancePage> ListInstancesAsync(InstanceQuery query, CancellationToken cancellation) => inner.ListInstancesAsync(query, cancellation);
    public virtual Task<PendingWork> GetPendingWorkAsync(string instanceId, CancellationToken cancellation) => inner.GetPendingWorkAsync(instanceId, cancellation);
    public virtual Task<JournalPage?> GetHistoryAsync(string instanceId, int afterTurn, int limit, CancellationToken cancellation) =>
        inner.GetHistoryAsync(instanceId, afterTurn, limit, cancellation);
    public virtual Task<TurnPickle?> GetTurnPickleAsync(string instanceId, int turn, CancellationToken cancellation) =>
        inner.GetTurnPickleAsync(instanceId, turn, cancellation);
    public virtual Task<DeliveryResult> TerminateAsync(string instanceId, string? reason, CancellationToken cancellation) =>
        inner.TerminateAsync(instanceId, reason, cancellation);
    public virtual Task<(RewindResult Result, IReadOnlyList<TimerRow> Timers)> RewindAsync(string instanceId, int expectedTurns, byte[] pickle, RewindPlan plan,
        CancellationToken cancellation) => inner.RewindAsync(instanceId, expectedTurns, pickle, plan, cancellation);
    public virtual Task<(bool Created, IReadOnlyList<TimerRow> Timers)> StartForkAsync(NewInstance fork, byte[] pickle, RewindPlan plan, CancellationToken cancellation) =>
        inner.StartForkAsync(fork, pickle, plan, cancellation);
    public virtual Task<DeliveryResult> SignalAsync(string instanceId, string name, string payloadJson, CancellationToken cancellation) =>
        inner.SignalAsync(instanceId, name, payloadJson, cancellation);
    public virtual Task<DeliveryResult> CancelAsync(string instanceId, CancellationToken cancellation) => inner.CancelAsync(instanceId, cancellation);
    public virtual Task<DeliveryResult> PauseAsync(string instanceId, CancellationToken cancellation) => inner.PauseAsync(instanceId, cancellation);
    public virtual Task<DeliveryResult> ResumeAsync(string instanceId, CancellationToken cancellation) => inner.ResumeAsync(instanceId, cancellation);
    public virtual Task ProbeWriteAsync(DateTime now, CancellationToken cancellation) => inner.ProbeWriteAsync(now, cancellation);
    public virtual Task<WorkSummary> SummaryAsync(CancellationToken cancellation) => inner.SummaryAsync(cancellation);

    public virtual void Dispose() { }
}
