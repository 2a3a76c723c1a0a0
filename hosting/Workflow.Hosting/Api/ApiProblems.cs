using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Workflow.Boundary;
using Workflow.Persistence;

namespace Workflow.Hosting.Api;

/// <summary>
/// The API's errors, as RFC 7807 problem details: <c>title</c> says what kind of error, <c>detail</c>
/// says what exactly (with the ids and where a body breaks), and the extension <c>code</c> is a
/// stable string clients can switch on (<c>unknown_instance</c>, <c>invalid_json</c>, <c>invalid_name</c>,
/// <c>payload_too_large</c>, <c>storage_unavailable</c>, …).
/// </summary>
internal static class ApiProblems
{
    public static IResult Result(int status, string code, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        var all = new Dictionary<string, object?> { ["code"] = code };
        if (extensions != null) foreach (var (key, value) in extensions) all[key] = value;
        return Results.Problem(detail: detail, statusCode: status, title: title, extensions: all);
    }

    public static IResult BadRequest(string code, string detail, IDictionary<string, object?>? extensions = null) =>
        Result(StatusCodes.Status400BadRequest, code, "The request is not valid", detail, extensions);

    /// <summary>
    /// What the engine refused before writing anything (WorkflowClient's checks, one per FormatException
    /// it throws): 400 <c>invalid_id</c> or <c>invalid_name</c> for an id or name that breaks NameRules,
    /// 413 <c>payload_too_large</c> (with the <c>limit</c> in bytes) for a payload over the limit,
    /// 400 <c>invalid_json</c> for a payload that is not strict JSON, 400 <c>invalid_input</c> otherwise.
    /// </summary>
    public static IResult Refused(FormatException refusal) => refusal switch
    {
        InvalidNameException { Kind: NameKind.InstanceId } => BadRequest("invalid_id", refusal.Message),
        InvalidNameException => BadRequest("invalid_name", refusal.Message),
        PayloadTooLargeException tooLarge => Result(StatusCodes.Status413PayloadTooLarge, "payload_too_large", "The payload is too large",
            refusal.Message + "; nothing was written", new Dictionary<string, object?> { ["limit"] = tooLarge.Limit }),
        InvalidJsonException => BadRequest("invalid_json", refusal.Message),
        _ => BadRequest("invalid_input", refusal.Message),
    };

    public static IResult UnknownInstance(string id) =>
        Result(StatusCodes.Status404NotFound, "unknown_instance", "No such instance", $"no instance '{id}' exists");

    public static IResult Finished(string id, string status) =>
        Result(StatusCodes.Status409Conflict, "instance_finished", "The instance has finished",
            $"instance '{id}' is {status}; nothing was sent (start a new instance instead)");

    /// <summary>Seconds a client is asked to wait (Retry-After) before it retries after the database was unavailable.</summary>
    public const int RetryUnavailableSeconds = 5;

    /// <summary>Seconds a client is asked to wait (Retry-After) before it retries after the database was full: room is made by people, not in seconds.</summary>
    public const int RetryFullSeconds = 60;

    /// <summary>
    /// A storage fault (see <see cref="StorageFaults"/>) as a 503 problem with a Retry-After header:
    /// <c>storage_unavailable</c> or <c>storage_full</c>. The details stay in the log, under the traceId.
    /// </summary>
    public static IResult Storage(HttpContext context, StorageFault fault)
    {
        var full = fault == StorageFault.Full;
        var seconds = full ? RetryFullSeconds : RetryUnavailableSeconds;
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return full
            ? Result(StatusCodes.Status503ServiceUnavailable, "storage_full", "The workflow database is full",
                $"the workflow database has no room for this request (its disk or its size limit is full); retry after {seconds} seconds, once room is made; the server's log has the error under this problem's traceId")
            : Result(StatusCodes.Status503ServiceUnavailable, "storage_unavailable", "The workflow database is unavailable",
                $"the workflow database could not carry out this request (busy, read-only, unreachable or shutting down); retry after {seconds} seconds; the server's log has the error under this problem's traceId");
    }

    /// <summary>Writes a problem outside an endpoint (authentication challenges).</summary>
    public static Task Write(HttpContext context, int status, string code, string title, string detail)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Extensions = { ["code"] = code } };
        return Results.Problem(problem).ExecuteAsync(context);
    }
}
