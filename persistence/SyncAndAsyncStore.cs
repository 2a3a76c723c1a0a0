using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>
/// The operations of IWorkflowStore that a REST request, the dashboard or the health check makes,
/// each written once per provider against a CallMode (the abstract members) and offered here twice:
/// as the synchronous method the workers and the wf tool call, and as its Async namesake the
/// request paths await. So the two give the same results by construction, and the SQL of an
/// operation exists once. The workers' hot paths (claims, group commits, activity and timer
/// writes) stay synchronous only, in the stores themselves.
/// </summary>
internal abstract class SyncAndAsyncStore
{
    public void SaveProgram(string name, string source, string hash, IReadOnlyDictionary<string, string>? modules = null) =>
        SaveProgram(name, source, hash, modules, CallMode.Sync).SyncResult();

    public Task SaveProgramAsync(string name, string source, string hash, IReadOnlyDictionary<string, string>? modules, CancellationToken cancellation) =>
        SaveProgram(name, source, hash, modules, CallMode.Async(cancellation)).AsTask();

    protected abstract ValueTask SaveProgram(string name, string source, string hash, IReadOnlyDictionary<string, string>? modules, CallMode mode);

    public ProgramVersion? GetProgram(string hash) => GetProgram(hash, CallMode.Sync).SyncResult();

    public Task<ProgramVersion?> GetProgramAsync(string hash, CancellationToken cancellation) => GetProgram(hash, CallMode.Async(cancellation)).AsTask();

    protected abstract ValueTask<ProgramVersion?> GetProgram(string hash, CallMode mode);

    public ProgramVersion? GetLatestProgram(string name) => GetLatestProgram(name, CallMode.Sync).SyncResult();

    public Task<ProgramVersion?> GetLatestProgramAsync(string name, CancellationToken cancellation) =>
        GetLatestProgram(name, CallMode.Async(cancellation)).AsTask();

    protected abstract ValueTask<ProgramVersion?> GetLatestProgram(string name, CallMode mode);

    public IReadOnlyList<Deployment> ListDeployments() => ListDeployments(CallMode.Sync).SyncResult();

    public Task<IReadOnlyList<Deployment>> ListDeploymentsAsync(CancellationToken cancellation) => ListDeployments(CallMode.Async(cancellation)).AsTask();

    protected abstract ValueTask<IReadOnlyList<Deployment>> ListDeployments(CallMode mode);

    public IReadOnlyList<Deployment> ListDeploymentsOf(string name) => ListDeploymentsOf(name, CallMode.Sync).SyncResult();

    public Task<IReadOnlyList<Deployment>> ListDeploymentsOfAsync(string name, CancellationToken cancellation) =>
        ListDeploymentsOf(name, CallMode.Async(cancellation)).AsTask();

    protected abstract ValueTask<IReadOnlyList<Deployment>> ListDeploymentsOf(string name, CallMode mode);

    public (InstanceView Instance, bool Created) StartInstance(NewInstance instance) => StartInstance(instance, CallMode.Sync).SyncResult();

    public Task<(InstanceView Instance, bool Created)> StartInstanceAsync(NewInstance instance, CancellationToken cancellation) =>
        StartInstance(instance, CallMode.Async(cancellation)).AsTask();

    protected abstract ValueTask<(InstanceView Instance, bool Created)> StartInstance(NewInstance instance, CallMode mode);

    public InstanceView? GetInstance(string id) => GetInstance(id, CallMode.Sync).SyncResult();

    public Task<InstanceView?> GetInstanceAsync(string id, CancellationToken cancellation) => GetInstance(id, CallMode.Async(cancellation)).AsTask();

    protected abstract ValueTask<InstanceView?> GetInstance(string id, CallMode mode);

    public InstancePage ListInstances(InstanceQuery query) => ListInstances(query, CallMode.Sync).SyncResult();

    public Task<InstancePage> ListInstancesAsync(InstanceQuery query, CancellationToken cancellation) => ListInstances(query, CallMode.Async(cancellation)).AsTask();

    protected abstract ValueTask<InstancePage> ListInstances(InstanceQuery query, CallMode mode);

    public PendingWork GetPendingWork(string instanceId) => GetPendingWork(instanceId, CallMode.Sync).SyncResult();

    public Task<PendingWork> GetPendingWorkAsync(string instanceId, CancellationToken cancellation) =>
        GetPendingWork(instanceId, CallMode.Async(cancellation)).AsTask();

    protected abstract ValueTask<PendingWork> GetPendingWork(string instanceId, CallMode mode);

    public JournalPage? GetHistory(string instanceId, int afterTurn, int limit) => GetHistory(instanceId, afterTurn, limit, CallMode.Sync).SyncResult();

    public Task<JournalPage?> GetHistoryAsync(string instanceId, int afterTurn, int limit, CancellationToken cancellation) =>
        GetHistory(instanceId, afterTurn, limit, CallMode.Async(cancellation)).AsTask();

    protected abstract ValueTask<JournalPage?> GetHistory(string instanceId, int afterTurn, int limit, CallMode mode);

    public TurnPickle? GetTurnPickle(string instanceId, int turn) => GetTurnPickle(instanceId, turn, CallMode.Sync).SyncResult();

    public Task<TurnPickle?> GetTurnPickleAsync(string instanceId, int turn, CancellationToken cancellation) =>
        GetTurnPickle(instanceId, turn, CallMode.Async(cancellation)).AsTask();

    protected abstract ValueTask<TurnPickle?> GetTurnPickle(string instanceId, int turn, CallMode mode);

    public DeliveryResult Terminate(string instanceId, string? reason) => Terminate(instanceId, reason, CallMode.Sync).SyncResult();

    public Task<DeliveryResult> TerminateAsync(string instanceId, string? reason, CancellationToken cancellation) =>
        Terminate(instanceId, reason, CallMode.Async(cancellation)).AsTask();

    protected abstract ValueTask<DeliveryResult> Terminate(string instanceId, string? reason, CallMode mode);

    public (RewindResult Result, IReadOnlyList<TimerRow> Timers) Rewind(string instanceId, int expectedTurns, byte[] pickle, RewindPlan plan) =>
        Rewind(instanceId, expectedTurns, pickle, plan, CallMode.Sync).SyncResult();

    public Task<(RewindResult Result, IReadOnlyList<TimerRow> Timers)> RewindAsync(string instanceId, int expectedTurns, byte[] pickle, RewindPlan plan,
        CancellationToken cancellation) => Rewind(instanceId, expectedTurns, pickle, plan, CallMode.Async(cancellation)).AsTask();

    protected abstract ValueTask<(RewindResult Result, IReadOnlyList<TimerRow> Timers)> Rewind(string instanceId, int expectedTurns, byte[] pickle, RewindPlan plan, CallMode mode);

    public (bool Created, IReadOnlyList<TimerRow> Timers) StartFork(NewInstance fork, byte[] pickle, RewindPlan plan) =>
        StartFork(fork, pickle, plan, CallMode.Sync).SyncResult();

    public Task<(bool Created, IReadOnlyList<TimerRow> Timers)> StartForkAsync(NewInstance fork, byte[] pickle, RewindPlan plan, CancellationToken cancellation) =>
        StartFork(fork, pickle, plan, CallMode.Async(cancellation)).AsTask();

    protected abstract ValueTask<(bool Created, IReadOnlyList<TimerRow> Timers)> StartFork(NewInstance fork, byte[] pickle, RewindPlan plan, CallMode mode);

    public DeliveryResult Signal(string instanceId, string name, string payloadJson) =>
        DeliverOrExplain(instanceId, InboxKind.Signal, name, payloadJson, CallMode.Sync).SyncResult();

    public Task<DeliveryResult> SignalAsync(string instanceId, string name, string payloadJson, CancellationToken cancellation) =>
        DeliverOrExplain(instanceId, InboxKind.Signal, name, payloadJson, CallMode.Async(cancellation)).AsTask();

    public DeliveryResult Cancel(string instanceId) => DeliverOrExplain(instanceId, InboxKind.Cancel, null, null, CallMode.Sync).SyncResult();

    public Task<DeliveryResult> CancelAsync(string instanceId, CancellationToken cancellation) =>
        DeliverOrExplain(instanceId, InboxKind.Cancel, null, null, CallMode.Async(cancellation)).AsTask();

    /// <summary>Signal and Cancel: delivers an entry of [kind] (sequence 0) to the instance, or says why it did not.</summary>
    protected abstract ValueTask<DeliveryResult> DeliverOrExplain(string instanceId, InboxKind kind, string? name, string? payload, CallMode mode);

    public DeliveryResult Pause(string instanceId) => Hold(instanceId, paused: true, CallMode.Sync).SyncResult();

    public Task<DeliveryResult> PauseAsync(string instanceId, CancellationToken cancellation) => Hold(instanceId, paused: true, CallMode.Async(cancellation)).AsTask();

    public DeliveryResult Resume(string instanceId) => Hold(instanceId, paused: false, CallMode.Sync).SyncResult();

    public Task<DeliveryResult> ResumeAsync(string instanceId, CancellationToken cancellation) => Hold(instanceId, paused: false, CallMode.Async(cancellation)).AsTask();

    /// <summary>
    /// Pause and Resume: sets the instance's Paused flag to [paused] unless it is final (see
    /// IWorkflowStore.Pause). Only the flag changes (and UpdatedAt, when the flag does): not the
    /// revision, so a turn in flight still commits, nor Ready, which deliveries keep up to date.
    /// </summary>
    protected abstract ValueTask<DeliveryResult> Hold(string instanceId, bool paused, CallMode mode);

    public void ProbeWrite(DateTime now) => ProbeWrite(now, CallMode.Sync).SyncResult();

    public Task ProbeWriteAsync(DateTime now, CancellationToken cancellation) => ProbeWrite(now, CallMode.Async(cancellation)).AsTask();

    protected abstract ValueTask ProbeWrite(DateTime now, CallMode mode);

    public WorkSummary Summary() => Summary(CallMode.Sync).SyncResult();

    public Task<WorkSummary> SummaryAsync(CancellationToken cancellation) => Summary(CallMode.Async(cancellation)).AsTask();

    protected abstract ValueTask<WorkSummary> Summary(CallMode mode);
}
