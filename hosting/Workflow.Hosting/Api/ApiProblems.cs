using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Workflow.Hosting.Api;

/// <summary>
/// The API's errors, as RFC 7807 problem details: <c>title</c> says what kind of error, <c>detail</c>
/// says what exactly (with the ids and where a body breaks), and the extension <c>code</c> is a
/// stable string clients can switch on (<c>unknown_instance</c>, <c>invalid_json</c>, …).
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

    public static IResult UnknownInstance(string id) =>
        Result(StatusCodes.Status404NotFound, "unknown_instance", "No such instance", $"no instance '{id}' exists");

    public static IResult Finished(string id, string status) =>
        Result(StatusCodes.Status409Conflict, "instance_finished", "The instance has finished",
            $"instance '{id}' is {status}; nothing was sent (start a new instance instead)");

    /// <summary>Writes a problem outside an endpoint (authentication challenges).</summary>
    public static Task Write(HttpContext context, int status, string code, string title, string detail)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Extensions = { ["code"] = code } };
        return Results.Problem(problem).ExecuteAsync(context);
    }
}
