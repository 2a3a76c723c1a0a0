using System.Net;
using System.Net.Sockets;
using System.Text;
using Newtonsoft.Json.Linq;
using Workflow.Durable;

namespace Workflow.Hosting.Tests.Activities;

public sealed class BuiltinActivityTests : ActivityTest
{
    private readonly HttpListener _listener = new();
    private readonly string _base;
    private readonly Task _serving;
    private readonly List<(string Method, string Path, string Body, string? IdempotencyKey)> _requests = new();

    public BuiltinActivityTests()
    {
        var port = FreePort();
        _base = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(_base);
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    [Fact]
    public async Task Echo_ReturnsItsFirstArgument()
    {
        StartWaiting("i1", activities:
        [
            new ActivityRequest(1, "echo", """[{"a": [1, 2.5, "x"]}, "ignored"]""", null, null),
            new ActivityRequest(2, "echo", "[]", null, null),
        ]);

        Assert.Equal(2, await Worker().RunOnceAsync());

        var inbox = Inbox("i1").OrderBy(e => e.Sequence).ToList();
        Assert.Equal("""{"a":[1,2.5,"x"]}""", inbox[0].Payload);
        Assert.Equal("null", inbox[1].Payload);
    }

    [Fact]
    public async Task HttpGet_ReturnsTheParsedBody()
    {
        StartWithActivity("i1", "http_get", $"[\"{_base}orders/7\"]");

        Assert.Equal(1, await Worker().RunOnceAsync());

        var entry = Assert.Single(Inbox("i1"));
        Assert.Equal(InboxKind.ActivityCompleted, entry.Kind);
        Assert.Equal("""{"method":"GET","path":"/orders/7","when":"2030-01-01T00:00:00Z"}""", entry.Payload);
    }

    [Fact]
    public async Task HttpGet_FailsOnANonSuccessStatus()
    {
        StartWithActivity("i1", "http_get", $"[\"{_base}missing\"]", retries: 1);

        Assert.Equal(1, await Worker().RunOnceAsync());

        var entry = Assert.Single(Inbox("i1"));
        Assert.Equal(InboxKind.ActivityFailed, entry.Kind);
        Assert.Equal($"GET {_base}missing returned 404 Not Found", entry.Payload);
        Assert.Equal(2, _requests.Count(r => r.Path == "/missing"));
    }

    [Fact]
    public async Task HttpGet_WithoutAUrl_Fails()
    {
        StartWithActivity("i1", "http_get", "[42]", retries: 0);

        Assert.Equal(1, await Worker().RunOnceAsync());

        Assert.Equal("http_get expects a URL string as its first argument", Assert.Single(Inbox("i1")).Payload);
    }

    [Fact]
    public async Task HttpPost_SendsTheBodyAndTheIdempotencyKey()
    {
        StartWithActivity("i1", "http_post", $$"""["{{_base}}charges", {"amount": 12, "currency": "EUR"}]""");

        Assert.Equal(1, await Worker().RunOnceAsync());

        var entry = Assert.Single(Inbox("i1"));
        Assert.Equal("""{"received":{"amount":12,"currency":"EUR"}}""", entry.Payload);
        var request = Assert.Single(_requests);
        Assert.Equal(("POST", "/charges", "i1/1"), (request.Method, request.Path, request.IdempotencyKey));
    }

    [Fact]
    public async Task HttpPost_ReturnsNullForAnEmptyResponse()
    {
        StartWithActivity("i1", "http_post", $"[\"{_base}empty\", null]");

        Assert.Equal(1, await Worker().RunOnceAsync());

        var entry = Assert.Single(Inbox("i1"));
        Assert.Equal((InboxKind.ActivityCompleted, "null"), (entry.Kind, entry.Payload));
        Assert.Equal("null", Assert.Single(_requests).Body);
    }

    [Fact]
    public async Task ABuiltinCanBeReplaced()
    {
        Registry.Add("echo", context => new JArray("replaced", context.Argument(0)!));
        StartWithActivity("i1", "echo", "[1]");

        Assert.Equal(1, await Worker().RunOnceAsync());

        Assert.Equal("""["replaced",1]""", Assert.Single(Inbox("i1")).Payload);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            var request = context.Request;
            var body = await new StreamReader(request.InputStream, Encoding.UTF8).ReadToEndAsync();
            var path = request.Url!.AbsolutePath;
            lock (_requests) _requests.Add((request.HttpMethod, path, body, request.Headers["Idempotency-Key"]));
            var (status, reply) = (request.HttpMethod, path) switch
            {
                ("GET", "/missing") => (404, ""),
                ("GET", _) => (200, $$"""{"method":"GET","path":"{{path}}","when":"2030-01-01T00:00:00Z"}"""),
                ("POST", "/empty") => (200, ""),
                ("POST", _) => (200, $$"""{"received":{{body}}}"""),
                _ => (405, ""),
            };
            context.Response.StatusCode = status;
            var bytes = Encoding.UTF8.GetBytes(reply);
            if (bytes.Length > 0) context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        var port = ((IPEndPoint)socket.LocalEndpoint).Port;
        socket.Stop();
        return port;
    }

    public override void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        base.Dispose();
    }
}
