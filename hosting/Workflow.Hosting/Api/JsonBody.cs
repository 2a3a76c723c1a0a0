using System.Text;
using Microsoft.AspNetCore.Http;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Workflow.Hosting.Api;

/// <summary>
/// Request bodies read with Newtonsoft.Json (the engine's JSON library), so that a malformed body is
/// refused with the line, position and path where it breaks, and values keep their exact form
/// (no dates parsed out of strings, big integers kept whole).
/// </summary>
internal static class JsonBody
{
    /// <summary>The largest body the API reads: 1 MiB, far above any program or payload a workflow should take.</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>The body's JSON value (JSON null for an empty body when [emptyIsNull]), or the problem to answer with.</summary>
    public static async Task<(JToken? Value, IResult? Problem)> ReadAsync(HttpRequest request, bool emptyIsNull = false)
    {
        if (request.ContentLength > MaxBytes) return (null, TooLarge());
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBytes) return (null, TooLarge());
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
        if (string.IsNullOrWhiteSpace(text))
            return emptyIsNull ? (JValue.CreateNull(), null) : (null, ApiProblems.BadRequest("invalid_json", "the request body is empty; it must be a JSON object"));
        try
        {
            return (Parse(text), null);
        }
        catch (JsonException e)
        {
            return (null, ApiProblems.BadRequest("invalid_json", $"the request body is not JSON: {e.Message}"));
        }
    }

    /// <summary>How deep a request body may nest (Json.NET's default is 64; writing a value back out recurses once per level).</summary>
    public const int MaxDepth = 1_000;

    /// <summary>Parses one JSON value, refusing duplicate keys and anything after the value.</summary>
    public static JToken Parse(string text)
    {
        using var reader = new JsonTextReader(new StringReader(text))
        {
            DateParseHandling = DateParseHandling.None,
            FloatParseHandling = FloatParseHandling.Double,
            MaxDepth = MaxDepth,
        };
        var value = JToken.ReadFrom(reader, new JsonLoadSettings { DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error });
        if (reader.Read()) throw new JsonReaderException($"unexpected content after the JSON value, line {reader.LineNumber}, position {reader.LinePosition}.");
        // Json.NET reads NaN and Infinity, which JSON (RFC 8259) does not have.
        foreach (var token in value is JContainer container ? container.DescendantsAndSelf() : [value])
        {
            if (token is JValue { Type: JTokenType.Float, Value: double d } && !double.IsFinite(d))
            {
                var line = (IJsonLineInfo)token;
                throw new JsonReaderException($"{d} is not a JSON number. Path '{token.Path}', line {line.LineNumber}, position {line.LinePosition}.");
            }
        }
        return value;
    }

    private static IResult TooLarge() => ApiProblems.Result(StatusCodes.Status413PayloadTooLarge, "body_too_large", "The request body is too large",
        $"the API reads bodies of up to {MaxBytes:N0} bytes");

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
