using Workflow.Boundary;

namespace Workflow.Durable;

/// <summary>
/// What `wf start`, `wf signal`, `wf cancel` and the REST API do to the database, with their
/// checks in one place: a program that does not compile is refused with its diagnostics; a name or
/// id that breaks NameRules (InvalidNameException), a payload that is not strict JSON
/// (InvalidJsonException) or is over the payload limit (PayloadTooLargeException) is refused with
/// what is wrong and where; nothing is written in any of these cases.
/// </summary>
internal sealed class WorkflowClient
{
    private readonly IWorkflowStore _store;
    private readonly int _maxPayloadBytes;

    /// <summary>A client of [store] that refuses inputs and signal payloads over [maxPayloadBytes] bytes of UTF-8 JSON.</summary>
    public WorkflowClient(IWorkflowStore store, int maxPayloadBytes = PayloadLimits.DefaultMaxPayloadBytes)
    {
        _store = store;
        _maxPayloadBytes = maxPayloadBytes;
    }

    /// <summary>Deploys [source] as the current version of [name]; the compiled program, whose Diagnostics say why when it HasErrors (then nothing is stored).</summary>
    public WorkflowProgram Deploy(string name, string source) => Deploy(name, WorkflowProgram.Compile(source, name + ".wf"));

    /// <summary>
    /// Deploys a loaded program (WorkflowProgram.Load: with the modules it imports) as the current
    /// version of [name], unless it HasErrors. InvalidNameException when [name] or a module's name
    /// breaks NameRules.
    /// </summary>
    public WorkflowProgram Deploy(string name, WorkflowProgram program)
    {
        CheckNames(name, program);
        if (!program.HasErrors) _store.SaveProgram(name, program.Source, program.SourceHash, program.Modules);
        return program;
    }

    /// <summary>Deploy, awaiting the store (the REST API's way: see IWorkflowStore's Async methods).</summary>
    public async Task<WorkflowProgram> DeployAsync(string name, WorkflowProgram program, CancellationToken cancellation)
    {
        CheckNames(name, program);
        if (!program.HasErrors) await _store.SaveProgramAsync(name, program.Source, program.SourceHash, program.Modules, cancellation);
        return program;
    }

    /// <summary>Throws InvalidNameException when [name], or the name of a module [program] imports, breaks NameRules.</summary>
    public static void CheckNames(string name, WorkflowProgram program)
    {
        NameRules.Check(name, NameKind.Workflow);
        foreach (var module in program.Modules.Keys) NameRules.Check(module, NameKind.Module);
    }

    /// <summary>
    /// Starts an instance of the latest version of [workflow] with [inputJson] (null for None). An
    /// [id] that exists already returns that instance (idempotent start). Throws a FormatException
    /// (InvalidNameException, InvalidJsonException, PayloadTooLargeException) when the workflow's
    /// name, the id or the input is refused, and KeyNotFoundException when no such workflow is deployed.
    /// </summary>
    public (InstanceView Instance, bool Created) Start(string workflow, string? inputJson, string? id = null)
    {
        CheckStart(workflow, inputJson, id);
        var version = _store.GetLatestProgram(workflow) ?? throw NotDeployed(workflow);
        return _store.StartInstance(new NewInstance(id ?? NewId(), workflow, version.Hash, inputJson));
    }

    /// <summary>Start, awaiting the store.</summary>
    public async Task<(InstanceView Instance, bool Created)> StartAsync(string workflow, string? inputJson, string? id, CancellationToken cancellation)
    {
        CheckStart(workflow, inputJson, id);
        var version = await _store.GetLatestProgramAsync(workflow, cancellation) ?? throw NotDeployed(workflow);
        return await _store.StartInstanceAsync(new NewInstance(id ?? NewId(), workflow, version.Hash, inputJson), cancellation);
    }

    private static KeyNotFoundException NotDeployed(string workflow) => new($"no workflow named '{workflow}' is deployed");

    /// <summary>
    /// The checks Start makes before it writes anything, for a caller that writes something first
    /// (`wf start` deploys, then starts): throws what Start throws for the name, the id and the input.
    /// </summary>
    public void CheckStart(string workflow, string? inputJson, string? id)
    {
        NameRules.Check(workflow, NameKind.Workflow);
        if (id != null) NameRules.Check(id, NameKind.InstanceId);
        if (inputJson != null) CheckPayload(inputJson, "input");
    }

    /// <summary>Queues signal [name] for the instance; a FormatException (as Start's) when the name or the payload is refused.</summary>
    public DeliveryResult Signal(string instanceId, string name, string? payloadJson) =>
        _store.Signal(instanceId, name, CheckedPayload(name, payloadJson));

    /// <summary>Signal, awaiting the store.</summary>
    public Task<DeliveryResult> SignalAsync(string instanceId, string name, string? payloadJson, CancellationToken cancellation) =>
        _store.SignalAsync(instanceId, name, CheckedPayload(name, payloadJson), cancellation);

    /// <summary>The payload to store for signal [name] ("null" for none), once the name and the payload are checked.</summary>
    private string CheckedPayload(string name, string? payloadJson)
    {
        NameRules.Check(name, NameKind.Signal);
        payloadJson ??= "null";
        CheckPayload(payloadJson, "signal payload");
        return payloadJson;
    }

    public DeliveryResult Cancel(string instanceId) => _store.Cancel(instanceId);

    public Task<DeliveryResult> CancelAsync(string instanceId, CancellationToken cancellation) => _store.CancelAsync(instanceId, cancellation);

    /// <summary>A new instance id: 32 hex digits.</summary>
    public DeliveryResult Terminate(string instanceId, string? reason) => _store.Terminate(instanceId, reason);

    public Task<DeliveryResult> TerminateAsync(string instanceId, string? reason, CancellationToken cancellation) =>
        _store.TerminateAsync(instanceId, reason, cancellation);

    /// <summary>
    /// Rewinds the instance to turn [turn] (RewindPlan): it continues from the pickle that turn
    /// committed. Returns the timers set again (to schedule), or null for an unknown instance; throws
    /// ArgumentException when that turn cannot be resumed, InvalidOperationException when the
    /// instance kept committing turns while the rewind was planned.
    /// </summary>
    public async Task<IReadOnlyList<TimerRow>?> RewindAsync(string instanceId, int turn, bool reapplySignals, string? reason, CancellationToken cancellation)
    {
        // The plan is made from the journal as it stands; the store applies it only if no turn came in between.
        for (int attempt = 0; attempt < 5; attempt++)
        {
            var instance = await _store.GetInstanceAsync(instanceId, cancellation);
            if (instance == null) return null;
            var journal = await JournalAsync(instanceId, cancellation);
            if (journal.Count == 0) throw new ArgumentException($"instance '{instanceId}' has no turns in its journal yet");
            var plan = RewindPlan.ForRewind(instanceId, journal, turn, reapplySignals, instance.Status.IsFinal(), reason);
            var pickle = (await _store.GetTurnPickleAsync(instanceId, turn, cancellation))?.Pickle
                ?? throw new ArgumentException($"turn {turn} of instance '{instanceId}' has no pickle to go on from");
            var (result, timers) = await _store.RewindAsync(instanceId, journal[^1].Turn, pickle, plan, cancellation);
            switch (result)
            {
                case RewindResult.Applied: return timers;
                case RewindResult.NotFound: return null;
            }
        }
        throw new InvalidOperationException($"instance '{instanceId}' kept committing turns while the rewind was planned; pause it first (wf pause), then rewind");
    }

    /// <summary>
    /// A new instance [forkId] (a new id when null) from the pickle turn [turn] of the instance
    /// committed, on program version [version] (the instance's own when null; another must resume the
    /// pickle: PickleRetarget). Returns its id and the timers it set, or null for an unknown instance;
    /// throws ArgumentException when it cannot be made, KeyNotFoundException for an unknown version,
    /// InvalidOperationException when [forkId] is taken.
    /// </summary>
    public async Task<(string Id, IReadOnlyList<TimerRow> Timers)?> ForkAsync(string instanceId, int turn, string? forkId, string? version, CancellationToken cancellation)
    {
        if (forkId != null) NameRules.Check(forkId, NameKind.InstanceId);
        forkId ??= NewId();
        var instance = await _store.GetInstanceAsync(instanceId, cancellation);
        if (instance == null) return null;
        var journal = await JournalAsync(instanceId, cancellation);
        var plan = RewindPlan.ForFork(instanceId, journal, turn, forkId, version);
        var pickle = (await _store.GetTurnPickleAsync(instanceId, turn, cancellation))?.Pickle
            ?? throw new ArgumentException($"turn {turn} of instance '{instanceId}' has no pickle to go on from");
        var hash = instance.ProgramHash;
        if (version != null && version != hash)
        {
            var stored = await _store.GetProgramAsync(version, cancellation) ?? throw new KeyNotFoundException($"no program version '{version}' is stored (deploy it first)");
            var current = await _store.GetProgramAsync(hash, cancellation) ?? throw new KeyNotFoundException($"the instance's own program version '{hash}' is not stored");
            pickle = Pickling.PickleRetarget.Retarget(pickle, Compile(current), Compile(stored));
            hash = version;
        }
        var (created, timers) = await _store.StartForkAsync(new NewInstance(forkId, instance.Workflow, hash, instance.InputJson), pickle, plan, cancellation);
        if (!created) throw new InvalidOperationException($"an instance '{forkId}' exists already; nothing was forked");
        return (forkId, timers);
    }

    private static WorkflowProgram Compile(ProgramVersion version) => WorkflowProgram.Compile(version.Source, version.Name + ".wf", version.Modules);

    /// <summary>The instance's whole journal, page by page.</summary>
    private async Task<List<JournalRow>> JournalAsync(string instanceId, CancellationToken cancellation)
    {
        var rows = new List<JournalRow>();
        int after = 0;
        while (await _store.GetHistoryAsync(instanceId, after, 1_000, cancellation) is { } page)
        {
            rows.AddRange(page.Entries);
            if (page.NextAfterTurn is not { } next) break;
            after = next;
        }
        return rows;
    }

    public static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>Refuses [json] when it is over the payload limit or is not strict JSON, saying which payload ([what]) it was.</summary>
    private void CheckPayload(string json, string what)
    {
        // The size first: it costs nothing next to reading a large text.
        PayloadLimits.Check(json, what, _maxPayloadBytes);
        try
        {
            StrictJson.Parse(json);
        }
        catch (InvalidJsonException e)
        {
            throw e.Naming(what);
        }
    }
}
