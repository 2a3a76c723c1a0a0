using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Workflow.Boundary;

namespace Workflow.Hosting.Api;

/// <summary>
/// Request bodies, read as strict RFC 8259 JSON (StrictJson, the engine's one JSON reader), so that
/// anything else is refused with the line and position where it breaks, and values keep their
/// exact form (no dates parsed out of strings, big integers kept whole). A body may be
/// <see cref="WorkflowOptions.MaxPayloadBytes"/> plus <see cref="EnvelopeBytes"/>; no more of one is read.
/// </summary>
internal static class JsonBody
{
    /// <summary>
    /// Room in a body for what is not its payload: a start's workflow name and id, the field names,
    /// whitespace. 64 KiB. A payload sent with more whitespace than that must be sent compact.
    /// </summary>
    public const int EnvelopeBytes = 64 << 10;

    /// <summary>
    /// The largest body the API reads: the payload limit and the envelope, and at least 1 MiB and the
    /// envelope, so that a program of up to 1 MiB (its source as a JSON string) can be deployed
    /// whatever the payload limit is.
    /// </summary>
    public static int MaxBytes(WorkflowOptions options) => Math.Max(options.MaxPayloadBytes, 1 << 20) + EnvelopeBytes;

    /// <summary>The body's JSON value (JSON null for an empty body when [emptyIsNull]), or the problem to answer with.</summary>
    public static async Task<(JToken? Value, IResult? Problem)> ReadAsync(HttpRequest request, bool emptyIsNull = false)
    {
        var maxBytes = MaxBytes(request.HttpContext.RequestServices.GetRequiredService<IOptions<WorkflowOptions>>().Value);
        if (request.ContentLength > maxBytes) return (null, TooLarge(maxBytes));
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > maxBytes) return (null, TooLarge(maxBytes));
            buffer.Write(chunk, 0, read);
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException e)
        {
            return (null, ApiProblems.BadRequest("invalid_json", $"the request body is not UTF-8 text: byte {e.Index}"));
        }
        // Empty, or JSON's whitespace alone (a newline from `curl -d @file`); any other character is read as JSON.
        if (text.AsSpan().Trim(" \t\r\n").IsEmpty)
            return emptyIsNull ? (JValue.CreateNull(), null) : (null, ApiProblems.BadRequest("invalid_json", "the request body is empty; it must be a JSON object"));
        try
        {
            return (StrictJson.Parse(text), null);
        }
        catch (InvalidJsonException e)
        {
            return (null, ApiProblems.BadRequest("invalid_json", $"the request body is not JSON: {e.Message}"));
        }
    }

    private static IResult TooLarge(int maxBytes) => ApiProblems.Result(StatusCodes.Status413PayloadTooLarge, "body_too_large", "The request body is too large",
        $"the API reads bodies of up to {maxBytes:N0} bytes (the payload limit and {EnvelopeBytes:N0} bytes for the rest)");

    /// <summary>A JSON response written with Newtonsoft.Json, with [status] and an optional Location header.</summary>
    public static IResult Response(JToken body, int status = StatusCodes.Status200OK, string? location = null) => new NewtonsoftResult(body, status, location);

    private sealed class NewtonsoftResult(JToken body, int status, string? location) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json; charset=utf-8";
            if (location != null) context.Response.Headers.Location = location;
            return context.Response.WriteAsync(body.ToString(Formatting.None), context.RequestAborted);
        }
    }
}
