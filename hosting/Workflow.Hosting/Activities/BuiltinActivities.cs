using System.Text;
using Newtonsoft.Json.Linq;
using Workflow.Boundary;

namespace Workflow.Hosting.Activities;

/// <summary>
/// The activities every host has (DESIGN.md): `echo(value)` returns its first argument;
/// `http_get(url)` and `http_post(url, body)` speak JSON over HTTP and fail on a non-success status.
/// </summary>
internal static class BuiltinActivities
{
    /// <summary>
    /// One client for the process: SocketsHttpHandler recycles pooled connections so DNS changes are
    /// seen. Its own timeout is off; the activity's per-attempt timeout cancels the request instead.
    /// </summary>
    public static readonly HttpClient SharedHttp = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public static void AddTo(ActivityRegistry registry, HttpClient http)
    {
        registry.Add("echo", Echo);
        registry.Add("http_get", context => HttpGet(http, context));
        registry.Add("http_post", context => HttpPost(http, context));
    }

    private static JToken? Echo(ActivityContext context) => context.Argument(0)?.DeepClone();

    private static async Task<JToken?> HttpGet(HttpClient http, ActivityContext context)
    {
        var url = Url(context);
        using var response = await http.GetAsync(url, context.CancellationToken);
        return await ReadJson("GET", url, response, context.CancellationToken);
    }

    /// <summary>POSTs the second argument as JSON, with the activity's idempotency key in an `Idempotency-Key` header.</summary>
    private static async Task<JToken?> HttpPost(HttpClient http, ActivityContext context)
    {
        var url = Url(context);
        var body = ActivityJson.Write(context.Argument(1));
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", context.IdempotencyKey);
        using var response = await http.SendAsync(request, context.CancellationToken);
        return await ReadJson("POST", url, response, context.CancellationToken);
    }

    private static Uri Url(ActivityContext context)
    {
        if (context.Argument(0) is not JValue { Type: JTokenType.String, Value: string text })
            throw new ArgumentException($"{context.Name} expects a URL string as its first argument");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"{context.Name}: '{text}' is not an absolute http or https URL");
        return url;
    }

    /// <summary>The body as JSON (null when empty); a non-success status throws `GET url returned 404 Not Found`.</summary>
    private static async Task<JToken?> ReadJson(string method, Uri url, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{method} {url} returned {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return ActivityJson.Parse(text);
        }
        catch (InvalidJsonException e)
        {
            throw new FormatException($"{method} {url} returned a body that is not JSON: {e.Message}", e);
        }
    }
}
