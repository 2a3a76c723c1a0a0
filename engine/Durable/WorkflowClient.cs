namespace Workflow.Durable;

/// <summary>
/// What `wf start`, `wf signal`, `wf cancel` and the REST API do to the database, with their
/// checks in one place: a program that does not compile is refused with its diagnostics, a payload
/// that is not JSON is refused with where it breaks, and nothing is written in either case.
/// </summary>
internal sealed class WorkflowClient
{
    private readonly IWorkflowStore _store;

    public WorkflowClient(IWorkflowStore store) => _store = store;

    /// <summary>Deploys [source] as the current version of [name]; the compiled program, whose Diagnostics say why when it HasErrors (then nothing is stored).</summary>
    public WorkflowProgram Deploy(string name, string source) => Deploy(name, WorkflowProgram.Compile(source, name + ".wf"));

    /// <summary>Deploys a loaded program (WorkflowProgram.Load: with the modules it imports) as the current version of [name], unless it HasErrors.</summary>
    public WorkflowProgram Deploy(string name, WorkflowProgram program)
    {
        if (!program.HasErrors) _store.SaveProgram(name, program.Source, program.SourceHash, program.Modules);
        return program;
    }

    /// <summary>
    /// Starts an instance of the latest version of [workflow] with [inputJson] (null for None). An
    /// [id] that exists already returns that instance (idempotent start). Throws FormatException
    /// when the input is not JSON or the id is not one a user may choose, and
    /// KeyNotFoundException when no such workflow is deployed.
    /// </summary>
    public (InstanceView Instance, bool Created) Start(string workflow, string? inputJson, string? id = null)
    {
        if (id != null) CheckId(id);
        if (inputJson != null) CheckJson(inputJson, "input");
        var version = _store.GetLatestProgram(workflow) ?? throw new KeyNotFoundException($"no workflow named '{workflow}' is deployed");
        return _store.StartInstance(new NewInstance(id ?? NewId(), workflow, version.Hash, inputJson));
    }

    /// <summary>Queues signal [name] for the instance; FormatException when the payload is not JSON.</summary>
    public DeliveryResult Signal(string instanceId, string name, string? payloadJson)
    {
        payloadJson ??= "null";
        CheckJson(payloadJson, "signal payload");
        if (name.Length == 0) throw new ArgumentException("a signal needs a name");
        return _store.Signal(instanceId, name, payloadJson);
    }

    public DeliveryResult Cancel(string instanceId) => _store.Cancel(instanceId);

    /// <summary>A new instance id: 32 hex digits.</summary>
    public static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>
    /// An id given at start: 1 to 200 characters, no '.' (a child's id is its parent's, '.', and its
    /// sequence: a user id must never be one), no '/' and no control characters. FormatException otherwise.
    /// </summary>
    private static void CheckId(string id)
    {
        if (id.Length is 0 or > 200) throw new FormatException("an instance id has 1 to 200 characters");
        if (id.Contains('.')) throw new FormatException($"an instance id cannot contain '.' (child instances are named <parent id>.<n>): '{id}'");
        if (id.Any(char.IsControl)) throw new FormatException("an instance id cannot contain control characters");
        // The REST API names an instance in its path (/api/instances/{id}), where a '/' cannot be.
        if (id.Contains('/')) throw new FormatException($"an instance id cannot contain '/': '{id}'");
    }

    private static void CheckJson(string json, string what)
    {
        try
        {
            JsonValues.Parse(json);
        }
        catch (FormatException e)
        {
            throw new FormatException($"the {what} is not JSON: {e.Message.Replace("input is not valid JSON: ", "")}", e);
        }
    }
}
