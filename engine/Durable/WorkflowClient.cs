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
