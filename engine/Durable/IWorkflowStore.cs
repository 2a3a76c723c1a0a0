namespace Workflow.Durable;

/// <summary>
/// A deployed program version: stored once by its hash (WorkflowProgram.SourceHash), with the
/// sources of the modules it imports (module name → source; empty when it imports none).
/// </summary>
internal sealed record ProgramVersion(string Hash, string Name, string Source, DateTime CreatedAt, IReadOnlyDictionary<string, string> Modules);

/// <summary>An instance as `wf show` and the REST API see it, plus what a worker needs to resume it.</summary>
internal sealed record InstanceView(
    string Id,
    string Workflow,
    string ProgramHash,
    InstanceStatus Status,
    string? InputJson,
    string? ResultJson,
    string? Error,
    byte[]? Pickle,
    string? ParentId,
    int Turns,
    DateTime CreatedAt,
    DateTime UpdatedAt);

/// <summary>A new instance: pinned to the program version [ProgramHash] for its whole life.</summary>
internal sealed record NewInstance(string Id, string Workflow, string ProgramHash, string? InputJson, string? ParentId = null, int ParentSequence = 0);

/// <summary>A page of instances, newest first; [Cursor] is the previous page's NextCursor. [Parent]: only the children of that instance.</summary>
internal sealed record InstanceQuery(InstanceStatus? Status = null, string? Workflow = null, int Limit = 50, string? Cursor = null, string? Parent = null);

internal sealed record InstancePage(IReadOnlyList<InstanceView> Instances, string? NextCursor);

/// <summary>
/// An instance a worker has claimed for one turn: the row's revision, and the inbox entries to
/// deliver, oldest first. [BusyMicros] is how long it has run since it last blocked, across the
/// slices before this one (0 when its last turn ended blocked): see TurnOptions.RunBudget.
/// [SequenceFloor]: the lowest number the instance's next future may take (0: none); a rewind sets it
/// past every number used before, so that work started after a rewind never takes the idempotency
/// key or child id of work the rewind called off.
/// </summary>
internal sealed record ClaimedInstance(InstanceView Instance, long Revision, IReadOnlyList<InboxEntry> Inbox, long BusyMicros = 0, int SequenceFloor = 0);

/// <summary>Which ready instances a claim takes: those with new work, those in the middle of a sliced run (busy), or both.</summary>
internal enum ClaimLane : byte { All, Fresh, Busy }

/// <summary>A claimed activity task. [Attempts] counts attempts made so far including the one this claim starts.</summary>
internal sealed record ActivityTask(
    long Id,
    string InstanceId,
    int Sequence,
    string Name,
    string ArgumentsJson,
    int? Retries,
    double? TimeoutSeconds,
    int Attempts,
    string? LastError)
{
    /// <summary>What the handler receives to make its effect happen once: instance id and sequence.</summary>
    public string IdempotencyKey => $"{InstanceId}/{Sequence}";
}

/// <summary>How an activity task ended: its JSON result, or the final failure's message.</summary>
internal sealed record ActivityOutcome(long TaskId, string InstanceId, int Sequence, string? ResultJson, string? Error)
{
    public bool Succeeded => Error == null;
}

internal sealed record TimerRow(string InstanceId, int Sequence, DateTime DueAt);

/// <summary>A name's current deployment: the version new instances of [Name] run.</summary>
internal sealed record Deployment(string Name, string Hash, DateTime DeployedAt);

/// <summary>An activity task an instance waits for, as the dashboard shows it; [Attempts] counts attempts started.</summary>
internal sealed record PendingActivity(int Sequence, string Name, string ArgumentsJson, int Attempts, string? LastError);

/// <summary>What an instance waits for outside itself: its activity tasks and timers, by sequence.</summary>
internal sealed record PendingWork(IReadOnlyList<PendingActivity> Activities, IReadOnlyList<TimerRow> Timers);

/// <summary>What is left to do in the database: a worker with --exit-when-idle stops when nothing is.</summary>
internal sealed record WorkSummary(int ReadyInstances, int ActivityTasks, int Timers, DateTime? NextTimerDue)
{
    public bool IsIdle => ReadyInstances == 0 && ActivityTasks == 0 && Timers == 0;
}

/// <summary>A live worker's registration (IWorkflowStore.RegisterWorker); Dispose is its graceful end.</summary>
internal interface IWorkerRegistration : IDisposable
{
    string WorkerId { get; }

    /// <summary>
    /// Stamps the heartbeat at [now]. Returns false when the worker's row was gone (another worker
    /// took it for dead and released its claims): the row is written again and the worker goes on,
    /// its turns in flight then discarded by the revision check.
    /// </summary>
    bool Heartbeat(DateTime now);
}

/// <summary>What a rewind did: applied; no such instance; or the journal grew since the plan was made (make it again).</summary>
internal enum RewindResult : byte { Applied, NotFound, Stale }

/// <summary>What sending a signal or a cancellation to an instance, or pausing or resuming it, did.</summary>
internal enum DeliveryResult : byte { Accepted, NotFound, AlreadyFinished }

/// <summary>
/// The database behind the durable runtime (persistence/ implements it on EF Core). Every method is
/// one transaction; the runtime's correctness rests on these rules:
/// <list type="bullet">
/// <item>An instance is ready when it has never run or has inbox entries; it is claimable when it is ready, its lease is free or expired, and it is not paused.</item>
/// <item>Claiming sets a lease and bumps the row's revision; CommitTurns applies a commit only while the revision is the claimed one.</item>
/// <item>Delivering anything to an instance (signal, activity outcome, timer, child outcome, cancel) inserts an inbox entry and makes it ready, in one transaction.</item>
/// </list>
/// </summary>
internal interface IWorkflowStore : IDisposable
{
    /// <summary>
    /// Deploys a program version as the current one of [name]: stored unless one with the same hash
    /// exists, and recorded as deployed under [name] (so deploying an older version again makes it
    /// current again, and one source may serve two names). New instances and children of a name run
    /// its current version. [modules]: the sources of the modules it imports.
    /// </summary>
    void SaveProgram(string name, string source, string hash, IReadOnlyDictionary<string, string>? modules = null);

    ProgramVersion? GetProgram(string hash);

    /// <summary>The version of [name] deployed last (its Name is [name]).</summary>
    ProgramVersion? GetLatestProgram(string name);

    /// <summary>Every deployed name with its current version, by name.</summary>
    IReadOnlyList<Deployment> ListDeployments();

    /// <summary>Every deployment of [name], newest (the current version) first; empty for a name never deployed.</summary>
    IReadOnlyList<Deployment> ListDeploymentsOf(string name);

    /// <summary>Creates a ready instance; when [instance].Id exists already, returns that one unchanged (idempotent start). The bool says whether it was created.</summary>
    (InstanceView Instance, bool Created) StartInstance(NewInstance instance);

    InstanceView? GetInstance(string id);

    InstancePage ListInstances(InstanceQuery query);

    /// <summary>The instance's activity tasks and timers not yet settled (empty for an unknown instance).</summary>
    PendingWork GetPendingWork(string instanceId);

    /// <summary>Up to [limit] entries of the instance's journal after turn [afterTurn], in turn order; null for an unknown instance.</summary>
    JournalPage? GetHistory(string instanceId, int afterTurn, int limit);

    /// <summary>The pickle the instance's journal entry [turn] committed; null when there is no such entry.</summary>
    TurnPickle? GetTurnPickle(string instanceId, int turn);

    DeliveryResult Signal(string instanceId, string name, string payloadJson);

    /// <summary>
    /// Terminates the instance at once, and its running descendants (see Terminations): its row's
    /// revision moves on, so a turn in flight is discarded. [reason] is the operator's, kept in the
    /// error and the journal.
    /// </summary>
    DeliveryResult Terminate(string instanceId, string? reason);

    /// <summary>
    /// Carries out [plan] (RewindPlan.ForRewind) on the instance, which continues from [pickle]: in one
    /// transaction, and only while its journal still ends at turn [expectedTurns] (Stale otherwise: the
    /// plan was made from a journal a turn has since grown). The row's revision moves on, so a turn in
    /// flight is discarded. Returns the timers it set again, for the caller to schedule.
    /// </summary>
    (RewindResult Result, IReadOnlyList<TimerRow> Timers) Rewind(string instanceId, int expectedTurns, byte[] pickle, RewindPlan plan);

    /// <summary>
    /// Creates [fork] (an instance of its program version) from [pickle] with the work [plan]
    /// (RewindPlan.ForFork) starts, its journal beginning with the plan's entry. False, writing
    /// nothing, when an instance with its id exists. Returns the timers it set, for the caller to schedule.
    /// </summary>
    (bool Created, IReadOnlyList<TimerRow> Timers) StartFork(NewInstance fork, byte[] pickle, RewindPlan plan);

    DeliveryResult Cancel(string instanceId);

    /// <summary>
    /// Holds the instance (`wf pause`): no worker claims it until Resume, while what arrives for it
    /// (signals, activity outcomes, timer firings, child outcomes, a cancel) queues in its inbox as
    /// usual; reads show it as InstanceStatus.Paused. A turn already running commits normally: the
    /// pause takes effect at the instance's next claim. Pausing a paused instance changes nothing and
    /// is Accepted; a final one is AlreadyFinished.
    /// </summary>
    DeliveryResult Pause(string instanceId);

    /// <summary>
    /// Lets a paused instance be claimed again, with Ready and ReadySince as its deliveries left them,
    /// so it runs at once if anything queued (oldest first among the ready). Resuming an instance that
    /// is not paused changes nothing and is Accepted; a final one is AlreadyFinished.
    /// </summary>
    DeliveryResult Resume(string instanceId);

    /// <summary>
    /// Claims up to [max] ready instances for [worker] until [leaseUntil], oldest ready first, from
    /// [lane]: Fresh takes instances with new work (BusyMicros 0), Busy those whose last slice ended
    /// runnable, All both (a worker runs the two lanes apart so that busy instances never delay fresh work).
    /// </summary>
    IReadOnlyList<ClaimedInstance> ClaimInstances(string worker, int max, DateTime now, DateTime leaseUntil, ClaimLane lane = ClaimLane.All);

    /// <summary>
    /// Commits [commits] in one transaction. Per commit: if the row's revision is still the claimed
    /// one, writes the instance (revision + 1; turns + 1 unless KeepLease; lease cleared unless
    /// KeepLease; ready again if inbox entries newer than ConsumedThrough exist), deletes the
    /// consumed inbox entries, inserts the activity tasks, timers and child instances, applies
    /// Cancelled, and when the status is final: tells the parent (ChildCompleted/ChildFailed), cancels
    /// running children, deletes the instance's timers and activity tasks. Otherwise that commit is
    /// skipped whole. Returns, per commit, the row's new revision, or null when it was skipped.
    /// </summary>
    IReadOnlyList<long?> CommitTurns(IReadOnlyList<TurnCommit> commits);

    /// <summary>
    /// Claims up to [max] activity tasks whose lease is free or expired, counting the attempt each claim
    /// starts. The lease lasts until [leaseUntil]; the runner renews it while the task runs
    /// (RenewActivityLeases), so a long activity is not claimed again while it runs, and a dead
    /// worker's task is free once its lease runs out or its worker is found dead.
    /// Fair between instances: tasks are taken by their place in their instance's queue plus the
    /// tasks the instance has running, oldest first among equals, so an instance with thousands of
    /// tasks takes no more than its share of the runners while other instances' tasks wait.
    /// </summary>
    IReadOnlyList<ActivityTask> ClaimActivities(string worker, int max, DateTime now, DateTime leaseUntil);

    /// <summary>
    /// Records a failed attempt (and that the next one starts, with the lease until [leaseUntil]) so a
    /// crash does not reset the retry budget. Returns false, writing nothing, when [worker] no longer
    /// holds the task: it is gone (its instance ended or cancelled it) or another worker took it over.
    /// </summary>
    bool RecordActivityAttempt(long taskId, string worker, int attempts, string error, DateTime leaseUntil);

    /// <summary>
    /// Extends to [leaseUntil] the leases [worker] holds on the tasks [taskIds] (the ones it is running)
    /// and returns the ids it still holds; a task missing from the answer is gone or was taken over,
    /// and its handler should stop.
    /// </summary>
    IReadOnlyList<long> RenewActivityLeases(string worker, IReadOnlyList<long> taskIds, DateTime leaseUntil);

    /// <summary>
    /// Registers the worker [workerId] as alive: a row in `workers` with its heartbeat, and a hold the
    /// operating system (SQLite: a file lock) or the server (PostgreSQL: a session's advisory lock)
    /// drops the moment the process dies. Disposing the registration releases the worker's claims and
    /// removes it (a graceful stop). Throws when the database cannot be written.
    /// </summary>
    IWorkerRegistration RegisterWorker(string workerId, DateTime now);

    /// <summary>
    /// Finds the workers other than [self] that are gone (their hold was dropped, or their heartbeat
    /// is older than [silentSince]), makes every instance and activity task they had claimed claimable
    /// at once, and removes them. Returns their ids.
    /// </summary>
    IReadOnlyList<string> ReleaseDeadWorkers(string self, DateTime silentSince);

    /// <summary>Writes and commits a row kept for the purpose: throws when the database does not take writes (read-only, full, gone).</summary>
    void ProbeWrite(DateTime now);

    /// <summary>Delivers activity outcomes (inbox entries, instances made ready) and deletes their tasks, in one transaction; a task already gone is skipped.</summary>
    void CompleteActivities(IReadOnlyList<ActivityOutcome> outcomes);

    /// <summary>Every timer row not yet fired, for the reconcile at start-up.</summary>
    IReadOnlyList<TimerRow> ListTimers();

    /// <summary>Timers due at [now] or before, earliest first.</summary>
    IReadOnlyList<TimerRow> DueTimers(DateTime now, int max);

    /// <summary>Fires timers: each row still there becomes a TimerFired inbox entry and is deleted. Returns how many fired.</summary>
    int FireTimers(IReadOnlyList<TimerRow> timers);

    WorkSummary Summary();

    /// <summary>
    /// One step of the journal's retention (JournalRetention): walks the instances that have journal
    /// entries in id order, from [from] (null: the first), and deletes the entries of those finished
    /// before [now] minus KeepFinishedFor, and drops the pickles of entries older than each instance's
    /// newest PicklesPerInstance (oldest first). One transaction that looks at no more than
    /// policy.BatchSize instances and changes no more than policy.BatchSize rows; a pass over the whole
    /// journal is calls chained by JournalPruning.Next until it is null.
    /// </summary>
    JournalPruning PruneJournal(DateTime now, JournalRetention policy, string? from = null);

    // What the REST API, the dashboard and the health check call, on the thread pool: the operations
    // above of the same names, with the same results, but every wait (the SQLite write gate, a
    // connection, the server) awaited, so that requests piling up behind the workers' commits hold
    // no threads. [cancellation] is the request's: it stops a call until its transaction begins to
    // commit (a write then either happened whole or not at all); the Task then throws OperationCanceledException.

    Task SaveProgramAsync(string name, string source, string hash, IReadOnlyDictionary<string, string>? modules, CancellationToken cancellation);

    Task<ProgramVersion?> GetLatestProgramAsync(string name, CancellationToken cancellation);

    Task<IReadOnlyList<Deployment>> ListDeploymentsAsync(CancellationToken cancellation);

    Task<IReadOnlyList<Deployment>> ListDeploymentsOfAsync(string name, CancellationToken cancellation);

    Task<ProgramVersion?> GetProgramAsync(string hash, CancellationToken cancellation);

    Task<(InstanceView Instance, bool Created)> StartInstanceAsync(NewInstance instance, CancellationToken cancellation);

    Task<InstanceView?> GetInstanceAsync(string id, CancellationToken cancellation);

    Task<InstancePage> ListInstancesAsync(InstanceQuery query, CancellationToken cancellation);

    Task<PendingWork> GetPendingWorkAsync(string instanceId, CancellationToken cancellation);

    Task<JournalPage?> GetHistoryAsync(string instanceId, int afterTurn, int limit, CancellationToken cancellation);

    Task<TurnPickle?> GetTurnPickleAsync(string instanceId, int turn, CancellationToken cancellation);

    Task<DeliveryResult> TerminateAsync(string instanceId, string? reason, CancellationToken cancellation);

    Task<(RewindResult Result, IReadOnlyList<TimerRow> Timers)> RewindAsync(string instanceId, int expectedTurns, byte[] pickle, RewindPlan plan, CancellationToken cancellation);

    Task<(bool Created, IReadOnlyList<TimerRow> Timers)> StartForkAsync(NewInstance fork, byte[] pickle, RewindPlan plan, CancellationToken cancellation);

    Task<DeliveryResult> SignalAsync(string instanceId, string name, string payloadJson, CancellationToken cancellation);

    Task<DeliveryResult> CancelAsync(string instanceId, CancellationToken cancellation);

    Task<DeliveryResult> PauseAsync(string instanceId, CancellationToken cancellation);

    Task<DeliveryResult> ResumeAsync(string instanceId, CancellationToken cancellation);

    Task ProbeWriteAsync(DateTime now, CancellationToken cancellation);

    Task<WorkSummary> SummaryAsync(CancellationToken cancellation);
}
