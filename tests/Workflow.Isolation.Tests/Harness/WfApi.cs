using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Workflow.Isolation.Tests.Harness;

/// <summary>
/// The REST API of DESIGN.md as a client sees it: raw requests for the tests that send bodies the
/// server must refuse, and the usual calls (deploy, start, read) checked for their status code.
/// Answers are parsed with System.Text.Json, not with the engine's Newtonsoft.Json, so the client
/// shares no code with the server it judges.
/// </summary>
internal sealed class WfApi : IDisposable
{
    /// <summary>The statuses an instance never leaves (DESIGN.md, `wf show`).</summary>
    public static readonly IReadOnlySet<string> FinalStatuses = new HashSet<string> { "completed", "failed", "cancelled", "terminated" };

    public HttpClient Http { get; }

    /// <param name="whyUnreachable">Asked when a request cannot reach the server: why (the server died, with its last words), or null when it is not known.</param>
    public WfApi(Uri baseAddress, Func<string?> whyUnreachable) =>
        // A request on a loaded server may wait behind a long turn; a generous timeout, so that only a server that stopped answering fails it.
        Http = new HttpClient(new Unreachable(whyUnreachable)) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Turns "connection refused" into the reason: a test that meets a dead server says that the server died, and how.</summary>
    private sealed class Unreachable(Func<string?> why) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e) when (why() is { } reason)
            {
                throw new HttpRequestException($"{request.Method} {request.RequestUri?.PathAndQuery}: {reason}", e);
            }
        }
    }

    public Task<HttpResponseMessage> Post(string path, string body) =>
        Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> Get(string path) => Http.GetAsync(path);

    public async Task<JsonObject> Deploy(string name, string source) =>
        await Json(await Post("/api/programs", new JsonObject { ["name"] = name, ["source"] = source }.ToJsonString()), HttpStatusCode.Created);

    /// <summary>Starts an instance of [workflow] with [input]; its id.</summary>
    public async Task<string> Start(string workflow, JsonNode? input = null, string? id = null)
    {
        var body = new JsonObject { ["workflow"] = workflow, ["input"] = input };
        if (id != null) body["id"] = id;
        var started = await Json(await Post("/api/instances", body.ToJsonString()), HttpStatusCode.Created);
        return (string)started["id"]!;
    }

    /// <summary>The instance as `wf show` gives it, with what it waits for; null when there is no such instance.</summary>
    public async Task<JsonObject?> Instance(string id)
    {
        using var response = await Get($"/api/instances/{Uri.EscapeDataString(id)}");
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        return await Json(response, HttpStatusCode.OK);
    }

    /// <summary>Every instance of [workflow] (all pages of the list).</summary>
    public async Task<List<JsonObject>> List(string workflow)
    {
        var all = new List<JsonObject>();
        string? cursor = null;
        do
        {
            var path = $"/api/instances?workflow={Uri.EscapeDataString(workflow)}&limit=1000" + (cursor == null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = await Json(await Get(path), HttpStatusCode.OK);
            all.AddRange(page["instances"]!.AsArray().Select(i => i!.AsObject()));
            cursor = (string?)page["nextCursor"];
        } while (cursor != null);
        return all;
    }

    /// <summary>A timestamp of the API (ISO 8601 in UTC, milliseconds).</summary>
    public static DateTime Time(JsonNode? value) =>
        DateTime.Parse((string)value!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    /// <summary>From the instance's creation to its last change (its end, for an ended one), by the server's clock.</summary>
    public static TimeSpan Lifetime(JsonObject instance) => Time(instance["updatedAt"]) - Time(instance["createdAt"]);

    /// <summary>The body as a JSON object, after checking the status code (the body is in the failure message).</summary>
    public static async Task<JsonObject> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected,
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: expected {(int)expected}, got {(int)response.StatusCode}: {Shorten(text)}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Checks that [response] is a problem-details answer with [status] and [code] (RFC 7807, DESIGN.md), and returns it.</summary>
    public static async Task<JsonObject> Problem(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var problem = await Json(response, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(code == (string?)problem["code"], $"expected problem code {code}: {problem.ToJsonString()}");
        return problem;
    }

    public static string Shorten(string text, int max = 2_000) => text.Length <= max ? text : text[..(max / 2)] + $" …[{text.Length:N0} chars]… " + text[^(max / 2)..];

    public void Dispose() => Http.Dispose();
}
