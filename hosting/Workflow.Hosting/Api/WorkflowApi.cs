using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;
using Workflow.Durable;
using Workflow.Persistence;
using Workflow.Pickling;

namespace Workflow.Hosting.Api;

/// <summary>
/// The REST API of DESIGN.md, under <c>/api</c>: deploy and read programs, start, list, read, signal, cancel,
/// pause and resume instances, read a waiting instance's frame chain and its journal. Every refusal is a
/// problem-details body and changes nothing; a start, signal, cancel or resume wakes this process's worker.
/// </summary>
internal static class WorkflowApi
{
    /// <summary>The OpenAPI document and endpoint group name.</summary>
    public const string DocumentName = "workflows";

    public static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").WithGroupName(DocumentName).RequireAuthorization(ApiKeyAuthentication.Policy);
        api.MapGet("/programs", ListPrograms)
            .WithSummary("The deployed workflows, each with its current version")
            .Produces<ProgramList>();
        api.MapGet("/programs/{name}", GetProgramHistory)
            .WithSummary("A deployed workflow: its current version and every deployment of it, newest first")
            .Produces<ProgramHistory>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/programs/{name}/versions/{version}", GetProgramVersion)
            .WithSummary("The source of a version deployed under {name}, with the sources of the modules it imports")
            .Produces<ProgramSource>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/programs", DeployProgram)
            .WithSummary("Deploy a program version; 400 with its diagnostics when it does not compile")
            .RequestBody<DeployRequest>()
            .Produces<DeployResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapPost("/instances", StartInstance)
            .WithSummary("Start an instance of a deployed workflow; an id that exists already returns that instance (200)")
            .RequestBody<StartRequest>()
            .Produces<StartResponse>(StatusCodes.Status201Created)
            .Produces<StartResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/instances", ListInstances)
            .WithSummary("A page of instances, newest first; pass nextCursor as cursor for the next page; parent={id} lists that instance's children")
            .Produces<InstanceList>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/instances/{id}", GetInstance)
            .WithSummary("The instance (as `wf show`), with the activity tasks and timers it waits for")
            .Produces<InstanceDocument>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/instances/{id}/stack", GetStack)
            .WithSummary("The frame chain read from the instance's pickle (as `wf stack --json`)")
            .Produces<StackDocument>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/instances/{id}/history", GetHistory)
            .WithSummary("The instance's journal, one entry per turn in turn order: what it consumed, started and printed, how it ended; pass nextCursor as cursor for the next page")
            .Produces<HistoryDocument>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/instances/{id}/history/{turn}/stack", GetTurnStack)
            .WithSummary("The frame chain read from the pickle turn {turn} committed (as the instance's stack); 410 when retention dropped it")
            .Produces<TurnStackDocument>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone);
        api.MapPost("/instances/{id}/signals/{name}", SendSignal)
            .WithSummary("Send signal {name}; the body is its JSON payload (empty: null). It queues until the workflow asks for it")
            .RequestBody<JsonElement>()
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/instances/{id}/cancel", Cancel)
            .WithSummary("Cancel: the workflow sees CancelledError at its awaits and its finally blocks run")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/instances/{id}/terminate", Terminate)
            .WithSummary("Terminate: the instance ends at once with status terminated; no script code runs (no finally blocks), its activities are called off, its children terminated")
            .RequestBody<TerminateRequest>()
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/instances/{id}/rewind", Rewind)
            .WithSummary("Rewind to a turn: the instance continues from the pickle that turn committed, as if what came after never happened; signals consumed since are queued again unless reapplySignals is false")
            .RequestBody<RewindRequest>()
            .Produces<RewindResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/instances/{id}/fork", Fork)
            .WithSummary("Fork: a new instance from the pickle a turn committed, optionally on another version of the program whose resume sites match")
            .RequestBody<ForkRequest>()
            .Produces<StartResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/instances/{id}/pause", Pause)
            .WithSummary("Pause: no worker runs the instance (status paused) until it is resumed; what arrives meanwhile queues. A turn in progress finishes first")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/instances/{id}/resume", Resume)
            .WithSummary("Resume a paused instance: what queued while it was paused is delivered, in arrival order")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        // Anything else under /api (a wrong path or method) gets a problem too, not an empty 404.
        api.MapFallback((HttpRequest request) => ApiProblems.Result(StatusCodes.Status404NotFound, "unknown_route", "No such route",
            $"{request.Method} {request.Path} is not part of the API; see /openapi/{DocumentName}.json")).ExcludeFromDescription();
        api.AddEndpointFilter(FailuresAsProblems);
        // Any route may meet a storage fault (storage_unavailable, storage_full).
        api.ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return api;
    }

    /// <summary>
    /// Describes the JSON body in the OpenAPI document only. (Accepts&lt;T&gt; would also make routing
    /// answer 415 with an empty body to a client that forgets Content-Type; bodies are parsed as
    /// JSON whatever the header says, and refused with a problem when they are not.)
    /// </summary>
    private static RouteHandlerBuilder RequestBody<T>(this RouteHandlerBuilder endpoint) =>
        endpoint.AddOpenApiOperationTransformer(async (operation, context, cancellation) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellation);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = typeof(T) != typeof(JsonElement),
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        });

    private static async Task<IResult> ListPrograms(WorkflowRuntime runtime, CancellationToken cancellation) =>
        JsonBody.Response(new JObject { ["programs"] = new JArray((await runtime.Store.ListDeploymentsAsync(cancellation)).Select(InstanceJson.Deployment)) });

    private static async Task<IResult> GetProgramHistory(string name, WorkflowRuntime runtime, CancellationToken cancellation)
    {
        name = PathNames.Decoded(name);
        var deployments = await runtime.Store.ListDeploymentsOfAsync(name, cancellation);
        if (deployments.Count == 0) return UnknownWorkflow(name);
        return JsonBody.Response(new JObject
        {
            ["name"] = name,
            ["version"] = deployments[0].Hash,
            ["deployments"] = new JArray(deployments.Select(d => new JObject { ["version"] = d.Hash, ["deployedAt"] = InstanceJson.Time(d.DeployedAt) })),
        });
    }

    private static async Task<IResult> GetProgramVersion(string name, string version, WorkflowRuntime runtime, CancellationToken cancellation)
    {
        name = PathNames.Decoded(name);
        var deployments = await runtime.Store.ListDeploymentsOfAsync(name, cancellation);
        if (deployments.Count == 0) return UnknownWorkflow(name);
        // Only the versions deployed under this name: the route reads a workflow's past, not any stored program.
        var program = deployments.Any(d => d.Hash == version) ? await runtime.Store.GetProgramAsync(version, cancellation) : null;
        if (program == null)
            return ApiProblems.Result(StatusCodes.Status404NotFound, "unknown_version", "No such version",
                $"version '{version}' was never deployed as {name}; GET /api/programs/{name} lists its versions");
        return JsonBody.Response(new JObject
        {
            ["name"] = name,
            ["version"] = program.Hash,
            ["createdAt"] = InstanceJson.Time(program.CreatedAt),
            ["source"] = program.Source,
            ["modules"] = JObject.FromObject(program.Modules),
        });
    }

    private static IResult UnknownWorkflow(string name) =>
        ApiProblems.Result(StatusCodes.Status404NotFound, "unknown_workflow", "No such workflow", $"no workflow named '{name}' was ever deployed");

    private static async Task<IResult> DeployProgram(HttpRequest request, WorkflowRuntime runtime, CancellationToken cancellation)
    {
        var (body, problem) = await JsonBody.ReadAsync(request);
        if (problem != null) return problem;
        if (body is not JObject fields) return ApiProblems.BadRequest("invalid_request", "the body must be a JSON object {\"name\": …, \"source\": …}");
        if (Text(fields, "name") is not { } name) return ApiProblems.BadRequest("invalid_request", "\"name\" must be a string: the workflow's name");
        if (Text(fields, "source") is not { } source) return ApiProblems.BadRequest("invalid_request", "\"source\" must be a string: the program's text");
        var modules = new Dictionary<string, string>(StringComparer.Ordinal);
        if (fields["modules"] is JObject given)
        {
            foreach (var (module, text) in given)
            {
                if (text?.Type != JTokenType.String) return ApiProblems.BadRequest("invalid_request", $"\"modules\".\"{module}\" must be a string: the module's source");
                modules[module] = (string)text!;
            }
        }
        else if (fields["modules"] is { Type: not JTokenType.Null }) return ApiProblems.BadRequest("invalid_request", "\"modules\" must be an object of module name → source");
        WorkflowProgram program;
        try
        {
            program = await runtime.Client.DeployAsync(name, WorkflowProgram.Compile(source, name + ".wf", modules), cancellation);
        }
        catch (FormatException e)
        {
            return ApiProblems.Refused(e);
        }
        if (program.HasErrors)
        {
            var diagnostics = program.Diagnostics.Select(d => new { file = d.File, line = d.Line, column = d.Col, message = d.Message }).ToArray();
            return ApiProblems.BadRequest("compile_error",
                $"{name} does not compile ({diagnostics.Length} error{(diagnostics.Length == 1 ? "" : "s")}); nothing was deployed: "
                + string.Join("; ", program.Diagnostics.Select(d => d.ToString())),
                new Dictionary<string, object?> { ["diagnostics"] = diagnostics });
        }
        return JsonBody.Response(new JObject { ["name"] = name, ["version"] = program.SourceHash }, StatusCodes.Status201Created);
    }

    private static async Task<IResult> StartInstance(HttpRequest request, WorkflowRuntime runtime, CancellationToken cancellation)
    {
        var (body, problem) = await JsonBody.ReadAsync(request);
        if (problem != null) return problem;
        if (body is not JObject fields) return ApiProblems.BadRequest("invalid_request", "the body must be a JSON object {\"workflow\": …, \"input\": …, \"id\": …}");
        if (Text(fields, "workflow") is not { Length: > 0 } workflow) return ApiProblems.BadRequest("invalid_request", "\"workflow\" must be the name of a deployed workflow");
        string? id = null;
        if (fields["id"] is { Type: not JTokenType.Null } idToken)
        {
            if (idToken.Type != JTokenType.String) return ApiProblems.BadRequest("invalid_id", "\"id\" must be a string");
            id = (string)idToken!;
        }
        var input = fields["input"] is { } value ? value.ToString(Newtonsoft.Json.Formatting.None) : null;
        try
        {
            var (instance, created) = await runtime.Client.StartAsync(workflow, input, id, cancellation);
            if (!created && instance.Workflow != workflow)
                return ApiProblems.Result(StatusCodes.Status409Conflict, "id_taken", "The id is taken",
                    $"instance '{instance.Id}' exists already and runs {instance.Workflow}, not {workflow}; nothing was started");
            if (created) runtime.Wake();
            return JsonBody.Response(new JObject { ["id"] = instance.Id, ["created"] = created },
                created ? StatusCodes.Status201Created : StatusCodes.Status200OK, $"/api/instances/{Uri.EscapeDataString(instance.Id)}");
        }
        catch (KeyNotFoundException e)
        {
            return ApiProblems.Result(StatusCodes.Status404NotFound, "unknown_workflow", "No such workflow", e.Message + "; deploy it first (POST /api/programs)");
        }
        catch (FormatException e)
        {
            return ApiProblems.Refused(e);
        }
    }

    private static async Task<IResult> ListInstances(WorkflowRuntime runtime, string? status, string? workflow, string? parent, string? limit, string? cursor,
        CancellationToken cancellation)
    {
        InstanceStatus? filter = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<InstanceStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(status, out _))
                return ApiProblems.BadRequest("invalid_query", $"status '{status}' is not one of running, waiting, paused, completed, failed, cancelled, terminated");
            filter = parsed;
        }
        var count = 50;
        if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, out count) || count is < 1 or > 1_000))
            return ApiProblems.BadRequest("invalid_query", $"limit '{limit}' must be a whole number from 1 to 1,000");
        InstancePage page;
        try
        {
            page = await runtime.Store.ListInstancesAsync(new InstanceQuery(filter, NullIfEmpty(workflow), count, NullIfEmpty(cursor), NullIfEmpty(parent)), cancellation);
        }
        catch (ArgumentException e) when (e.ParamName == "cursor")
        {
            return ApiProblems.BadRequest("invalid_query", $"cursor: {e.Message.Replace(" (Parameter 'cursor')", "")}");
        }
        return JsonBody.Response(new JObject
        {
            ["instances"] = new JArray(page.Instances.Select(InstanceJson.Summary)),
            ["nextCursor"] = page.NextCursor,
        });
    }

    private static async Task<IResult> GetInstance(string id, WorkflowRuntime runtime, CancellationToken cancellation)
    {
        var instance = await runtime.Store.GetInstanceAsync(id, cancellation);
        if (instance == null) return ApiProblems.UnknownInstance(id);
        return JsonBody.Response(InstanceJson.Full(instance, await runtime.Store.GetPendingWorkAsync(id, cancellation)));
    }

    private static async Task<IResult> GetStack(string id, WorkflowRuntime runtime, ILoggerFactory loggers, CancellationToken cancellation)
    {
        var instance = await runtime.Store.GetInstanceAsync(id, cancellation);
        if (instance == null) return ApiProblems.UnknownInstance(id);
        try
        {
            return JsonBody.Response(InstanceJson.Stack(instance));
        }
        catch (PickleException e)
        {
            // The row and its pickle stay as they are, for inspection; the client learns where the pickle breaks.
            loggers.CreateLogger("Workflow.Api").LogError(e, "the pickle of instance {Instance} is damaged", id);
            return ApiProblems.Result(StatusCodes.Status500InternalServerError, "damaged_pickle", "The instance's pickle is damaged",
                $"the pickle of instance '{id}' cannot be read: {e.Message}");
        }
    }

    private static async Task<IResult> GetHistory(string id, string? cursor, string? limit, WorkflowRuntime runtime, CancellationToken cancellation)
    {
        var count = 100;
        if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, out count) || count is < 1 or > 1_000))
            return ApiProblems.BadRequest("invalid_query", $"limit '{limit}' must be a whole number from 1 to 1,000");
        var after = 0;
        if (!string.IsNullOrEmpty(cursor) && (!int.TryParse(cursor, out after) || after < 0))
            return ApiProblems.BadRequest("invalid_query", $"cursor '{cursor}' is not one this API gave (a page's nextCursor)");
        var page = await runtime.Store.GetHistoryAsync(id, after, count, cancellation);
        if (page == null) return ApiProblems.UnknownInstance(id);
        return JsonBody.Response(HistoryJson.Page(page));
    }

    private static async Task<IResult> GetTurnStack(string id, string turn, WorkflowRuntime runtime, ILoggerFactory loggers, CancellationToken cancellation)
    {
        if (!int.TryParse(turn, out var number) || number < 1)
            return ApiProblems.BadRequest("invalid_turn", $"turn '{turn}' must be a turn number, from 1");
        var entry = await runtime.Store.GetTurnPickleAsync(id, number, cancellation);
        if (entry == null)
        {
            if (await runtime.Store.GetInstanceAsync(id, cancellation) == null) return ApiProblems.UnknownInstance(id);
            return ApiProblems.Result(StatusCodes.Status404NotFound, "unknown_turn", "No such turn",
                $"instance '{id}' has no turn {number} in its journal (GET /api/instances/{{id}}/history lists them)");
        }
        if (entry.Pruned)
            return ApiProblems.Result(StatusCodes.Status410Gone, "pickle_pruned", "The turn's pickle was dropped",
                $"the pickle turn {number} of instance '{id}' committed was dropped by the journal's retention policy; its journal entry remains");
        try
        {
            return JsonBody.Response(HistoryJson.Stack(id, entry));
        }
        catch (PickleException e)
        {
            loggers.CreateLogger("Workflow.Api").LogError(e, "the pickle of turn {Turn} of instance {Instance} is damaged", number, id);
            return ApiProblems.Result(StatusCodes.Status500InternalServerError, "damaged_pickle", "The turn's pickle is damaged",
                $"the pickle turn {number} of instance '{id}' committed cannot be read: {e.Message}");
        }
    }

    private static async Task<IResult> SendSignal(string id, string name, HttpRequest request, WorkflowRuntime runtime, CancellationToken cancellation)
    {
        name = PathNames.Decoded(name);
        var (payload, problem) = await JsonBody.ReadAsync(request, emptyIsNull: true);
        if (problem != null) return problem;
        DeliveryResult result;
        try
        {
            result = await runtime.Client.SignalAsync(id, name, payload!.ToString(Newtonsoft.Json.Formatting.None), cancellation);
        }
        catch (FormatException e)
        {
            return ApiProblems.Refused(e);
        }
        return await Delivered(result, id, runtime, () => new JObject { ["id"] = id, ["signal"] = name }, cancellation);
    }

    private static async Task<IResult> Cancel(string id, WorkflowRuntime runtime, CancellationToken cancellation) =>
        await Delivered(await runtime.Client.CancelAsync(id, cancellation), id, runtime, () => new JObject { ["id"] = id, ["cancel"] = true }, cancellation);

    private static async Task<IResult> Terminate(string id, HttpRequest request, WorkflowRuntime runtime, CancellationToken cancellation)
    {
        var (body, problem) = await JsonBody.ReadAsync(request, emptyIsNull: true);
        if (problem != null) return problem;
        string? reason = null;
        if (body is JObject fields && fields["reason"] is { Type: not JTokenType.Null } given)
        {
            if (given.Type != JTokenType.String) return ApiProblems.BadRequest("invalid_request", "\"reason\" must be a string");
            reason = (string)given!;
        }
        else if (body is not (null or JObject) && body.Type != JTokenType.Null)
            return ApiProblems.BadRequest("invalid_request", "the body must be empty or a JSON object {\"reason\": …}");
        return await Delivered(await runtime.Client.TerminateAsync(id, reason, cancellation), id, runtime,
            () => new JObject { ["id"] = id, ["status"] = "terminated" }, cancellation);
    }

    private static async Task<IResult> Rewind(string id, HttpRequest request, WorkflowRuntime runtime, CancellationToken cancellation)
    {
        var (body, problem) = await JsonBody.ReadAsync(request);
        if (problem != null) return problem;
        if (body is not JObject fields || TurnField(fields) is not { } turn)
            return ApiProblems.BadRequest("invalid_request", "the body must be a JSON object {\"turn\": N, \"reapplySignals\": true} with N a turn number from 1");
        bool reapply = true;
        if (fields["reapplySignals"] is { Type: not JTokenType.Null } reapplyToken)
        {
            if (reapplyToken.Type != JTokenType.Boolean) return ApiProblems.BadRequest("invalid_request", "\"reapplySignals\" must be true or false");
            reapply = (bool)reapplyToken;
        }
        string? reason = fields["reason"] is { Type: JTokenType.String } r ? (string)r! : null;
        try
        {
            var timers = await runtime.Client.RewindAsync(id, turn, reapply, reason, cancellation);
            if (timers == null) return ApiProblems.UnknownInstance(id);
            runtime.ScheduleTimers(timers);
            runtime.Wake();
            var instance = await runtime.Store.GetInstanceAsync(id, cancellation);
            return JsonBody.Response(new JObject { ["id"] = id, ["toTurn"] = turn, ["turn"] = instance?.Turns, ["status"] = instance == null ? null : InstanceJson.Status(instance.Status) });
        }
        catch (ArgumentException e)
        {
            return ApiProblems.Result(StatusCodes.Status409Conflict, "cannot_rewind", "The instance cannot be rewound to that turn", e.Message);
        }
        catch (InvalidOperationException e)
        {
            return ApiProblems.Result(StatusCodes.Status409Conflict, "instance_busy", "The instance kept moving", e.Message);
        }
    }

    /// <summary>The body's "turn": a turn number from 1, or null when it is none.</summary>
    private static int? TurnField(JObject fields) =>
        fields["turn"] is { Type: JTokenType.Integer } token && (long)token is >= 1 and <= int.MaxValue ? (int)token : null;

    private static async Task<IResult> Fork(string id, HttpRequest request, WorkflowRuntime runtime, CancellationToken cancellation)
    {
        var (body, problem) = await JsonBody.ReadAsync(request);
        if (problem != null) return problem;
        if (body is not JObject fields || TurnField(fields) is not { } turn)
            return ApiProblems.BadRequest("invalid_request", "the body must be a JSON object {\"turn\": N, \"id\": …, \"version\": …} with N a turn number from 1");
        string? forkId = null, version = null;
        if (fields["id"] is { Type: not JTokenType.Null } idToken)
        {
            if (idToken.Type != JTokenType.String) return ApiProblems.BadRequest("invalid_id", "\"id\" must be a string");
            forkId = (string)idToken!;
        }
        if (fields["version"] is { Type: not JTokenType.Null } versionToken)
        {
            if (versionToken.Type != JTokenType.String) return ApiProblems.BadRequest("invalid_request", "\"version\" must be a program version's hash");
            version = (string)versionToken!;
        }
        try
        {
            var forked = await runtime.Client.ForkAsync(id, turn, forkId, version, cancellation);
            if (forked is not { } made) return ApiProblems.UnknownInstance(id);
            runtime.ScheduleTimers(made.Timers);
            runtime.Wake();
            return JsonBody.Response(new JObject { ["id"] = made.Id, ["created"] = true }, StatusCodes.Status201Created,
                $"/api/instances/{Uri.EscapeDataString(made.Id)}");
        }
        catch (FormatException e)
        {
            return ApiProblems.Refused(e);
        }
        catch (KeyNotFoundException e)
        {
            return ApiProblems.Result(StatusCodes.Status404NotFound, "unknown_version", "No such program version", e.Message);
        }
        catch (ArgumentException e)
        {
            return ApiProblems.Result(StatusCodes.Status409Conflict, "cannot_fork", "The instance cannot be forked there", e.Message);
        }
        catch (InvalidOperationException e)
        {
            return ApiProblems.Result(StatusCodes.Status409Conflict, "id_taken", "The id is taken", e.Message);
        }
    }

    private static async Task<IResult> Pause(string id, WorkflowRuntime runtime, CancellationToken cancellation) =>
        await Delivered(await runtime.Store.PauseAsync(id, cancellation), id, runtime, () => new JObject { ["id"] = id, ["paused"] = true }, cancellation);

    private static async Task<IResult> Resume(string id, WorkflowRuntime runtime, CancellationToken cancellation) =>
        await Delivered(await runtime.Store.ResumeAsync(id, cancellation), id, runtime, () => new JObject { ["id"] = id, ["paused"] = false }, cancellation);

    private static async Task<IResult> Delivered(DeliveryResult result, string id, WorkflowRuntime runtime, Func<JObject> body, CancellationToken cancellation)
    {
        switch (result)
        {
            case DeliveryResult.Accepted:
                runtime.Wake();
                return JsonBody.Response(body(), StatusCodes.Status202Accepted);
            case DeliveryResult.NotFound:
                return ApiProblems.UnknownInstance(id);
            default:
                return ApiProblems.Finished(id, InstanceJson.Status((await runtime.Store.GetInstanceAsync(id, cancellation))!.Status));
        }
    }

    /// <summary>
    /// A failure the API did not expect is logged and answered as a problem, never as a bare page: a
    /// storage fault (the database busy, read-only, gone or full) as a 503 with a Retry-After the
    /// client can act on, anything else as a 500.
    /// </summary>
    private static async ValueTask<object?> FailuresAsProblems(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            var fault = StorageFaults.Classify(e);
            var logger = context.HttpContext.RequestServices.GetService(typeof(ILoggerFactory)) is ILoggerFactory loggers
                ? loggers.CreateLogger("Workflow.Api") : null;
            logger?.LogError(e, "{Method} {Path} failed{Fault} (trace {TraceId})", context.HttpContext.Request.Method, context.HttpContext.Request.Path,
                fault == StorageFault.None ? "" : $": the workflow database is {(fault == StorageFault.Full ? "full" : "unavailable")}",
                System.Diagnostics.Activity.Current?.Id ?? context.HttpContext.TraceIdentifier);
            // The details (SQL, file paths) go to the log, not to the client: the traceId in the body finds them there.
            if (fault != StorageFault.None) return ApiProblems.Storage(context.HttpContext, fault);
            return ApiProblems.Result(StatusCodes.Status500InternalServerError, "internal_error", "The server failed",
                "the server failed to answer; its log has the error under this problem's traceId");
        }
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static string? Text(JObject fields, string name) => fields[name] is { Type: JTokenType.String } value ? (string)value! : null;

    // The shapes below only describe the API in the OpenAPI document; bodies are read and written with Newtonsoft.Json.
    internal sealed record DeployRequest(string Name, string Source, Dictionary<string, string>? Modules);
    internal sealed record DeployResponse(string Name, string Version);
    internal sealed record StartRequest(string Workflow, JsonElement? Input, string? Id);
    internal sealed record StartResponse(string Id, bool Created);
    internal sealed record ProgramList(ProgramItem[] Programs);
    internal sealed record ProgramItem(string Name, string Version, DateTime DeployedAt);
    internal sealed record ProgramHistory(string Name, string Version, DeploymentItem[] Deployments);
    internal sealed record DeploymentItem(string Version, DateTime DeployedAt);
    internal sealed record ProgramSource(string Name, string Version, DateTime CreatedAt, string Source, Dictionary<string, string> Modules);
    internal sealed record InstanceList(InstanceItem[] Instances, string? NextCursor);
    internal sealed record InstanceItem(string Id, string Workflow, string Status, string? ParentId, int Turns, DateTime CreatedAt, DateTime UpdatedAt);
    internal sealed record InstanceDocument(string Id, string Workflow, string Status, JsonElement? Input, JsonElement? Result, string? Error,
        string? ParentId, string Version, int Turns, DateTime CreatedAt, DateTime UpdatedAt, PendingDocument Pending);
    internal sealed record PendingDocument(PendingActivityItem[] Activities, PendingTimerItem[] Timers);
    internal sealed record PendingActivityItem(int Sequence, string Name, JsonElement Arguments, int Attempts, string? LastError);
    internal sealed record PendingTimerItem(int Sequence, DateTime DueAt);
    internal sealed record TerminateRequest(string? Reason);
    internal sealed record RewindRequest(int Turn, bool? ReapplySignals, string? Reason);
    internal sealed record RewindResponse(string Id, int ToTurn, int Turn, string Status);
    internal sealed record ForkRequest(int Turn, string? Id, string? Version);
    internal sealed record StackDocument(string Id, string Status, JsonElement Tasklets);
    internal sealed record TurnStackDocument(string Id, string Status, int Turn, JsonElement Tasklets);
    internal sealed record HistoryDocument(TurnItem[] Turns, string? NextCursor);
    internal sealed record TurnItem(int Turn, string Kind, DateTime At, string? Worker, double DurationMs, string Status, int PickleBytes, bool HasPickle,
        JsonElement[]? Consumed, JsonElement[]? Started, int[]? Cancelled, string? Output, JsonElement[]? WaitingFor, JsonElement? Result, string? Error,
        string? Reason, int? FromTurn);
}
