using System.Net;
using Microsoft.Data.Sqlite;
using Newtonsoft.Json.Linq;

namespace Workflow.Hosting.Tests.Api;

/// <summary>The REST API end to end, over a real Kestrel server on loopback with a worker and a SQLite file.</summary>
public sealed class RestApiTests
{
    private const string Approval = """
        def main(input):
            items = input["items"]
            total = 0
            for item in items:
                total += item
            decision = await signal("decision")
            return {"total": total, "approved": decision["approved"], "by": decision["by"]}
        """;

    [Fact]
    public async Task Deploy_start_read_the_stack_signal_and_see_it_complete()
    {
        await using var host = await ApiHost.StartAsync();
        var deployed = await host.Deploy("approval", Approval);
        Assert.Equal("approval", (string?)deployed["name"]);
        Assert.Equal(64, ((string)deployed["version"]!).Length);

        var id = await host.Start("approval", new JObject { ["items"] = new JArray(3, 4, 5) }, id: "order-17");
        Assert.Equal("order-17", id);
        var waiting = await host.WaitForStatus(id, "waiting");
        Assert.Equal(new JObject { ["items"] = new JArray(3, 4, 5) }, waiting["input"]);
        Assert.Equal(JTokenType.Null, waiting["result"]!.Type);

        var stack = await ApiHost.Json(await host.Get($"/api/instances/{id}/stack"), HttpStatusCode.OK);
        Assert.Equal(("order-17", "waiting"), ((string)stack["id"]!, (string)stack["status"]!));
        var frame = (JObject)stack["tasklets"]![0]!["frames"]![0]!;
        Assert.Equal("main", (string?)frame["function"]);
        Assert.Equal(6, (int)frame["line"]!);
        Assert.Equal(12, (int)frame["locals"]!["total"]!);
        Assert.Equal("signal 'decision'", (string?)stack["tasklets"]![0]!["waitingFor"]);

        var sent = await host.Post($"/api/instances/{id}/signals/decision", """{"approved": true, "by": "bob"}""");
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var done = await host.WaitForStatus(id, "completed");
        Assert.Equal(JObject.Parse("""{"total": 12, "approved": true, "by": "bob"}"""), done["result"]);
        Assert.Equal(JTokenType.Null, done["error"]!.Type);

        var finished = await ApiHost.Json(await host.Get($"/api/instances/{id}/stack"), HttpStatusCode.OK);
        Assert.Empty((JArray)finished["tasklets"]!);
    }

    [Fact]
    public async Task Cancel_raises_CancelledError_at_the_await_and_finally_blocks_run()
    {
        await using var host = await ApiHost.StartAsync();
        await host.Deploy("holder", """
            def main(input):
                try:
                    await sleep(days(30))
                finally:
                    print("released the hold")
            """);
        var id = await host.Start("holder");
        var waiting = await host.WaitForStatus(id, "waiting");
        var timer = (JObject)waiting["pending"]!["timers"]![0]!;
        Assert.True(DateTime.Parse((string)timer["dueAt"]!).ToUniversalTime() > DateTime.UtcNow.AddDays(29));

        var cancelled = await host.Post($"/api/instances/{id}/cancel", "");
        Assert.Equal(HttpStatusCode.Accepted, cancelled.StatusCode);
        var done = await host.WaitForStatus(id, "cancelled");
        Assert.Contains("CancelledError", (string?)done["error"]);
        Assert.Empty((JArray)done["pending"]!["timers"]!);

        // A finished instance refuses another cancel or a signal, with 409.
        await ApiHost.Problem(await host.Post($"/api/instances/{id}/cancel", ""), HttpStatusCode.Conflict, "instance_finished");
        await ApiHost.Problem(await host.Post($"/api/instances/{id}/signals/go", "1"), HttpStatusCode.Conflict, "instance_finished");
    }

    [Fact]
    public async Task Bad_requests_get_the_right_status_and_a_problem_body_and_change_nothing()
    {
        await using var host = await ApiHost.StartAsync();
        await host.Deploy("approval", Approval);
        await host.Deploy("echo_back", "def main(input):\n    return input\n");
        var id = await host.Start("approval", new JObject { ["items"] = new JArray(1) }, id: "kept");
        await host.WaitForStatus(id, "waiting");
        var before = Snapshot(host.DatabasePath);

        var cases = new (Func<Task<HttpResponseMessage>> Send, HttpStatusCode Status, string Code)[]
        {
            (() => host.Post("/api/instances", """{"workflow": "approval", "input": {"items": [1,"""), HttpStatusCode.BadRequest, "invalid_json"),
            (() => host.Post("/api/instances", """{"workflow": "approval"} trailing"""), HttpStatusCode.BadRequest, "invalid_json"),
            (() => host.Post("/api/instances", """{"workflow": "approval", "workflow": "x"}"""), HttpStatusCode.BadRequest, "invalid_json"),
            (() => host.Post("/api/instances", "[1, 2]"), HttpStatusCode.BadRequest, "invalid_request"),
            (() => host.Post("/api/instances", ""), HttpStatusCode.BadRequest, "invalid_json"),
            (() => host.Post("/api/instances", """{"workflow": "no_such_workflow", "input": {}}"""), HttpStatusCode.NotFound, "unknown_workflow"),
            (() => host.Post("/api/instances", """{"workflow": "approval", "id": "a.b"}"""), HttpStatusCode.BadRequest, "invalid_id"),
            (() => host.Post("/api/instances", """{"workflow": "approval", "id": 7}"""), HttpStatusCode.BadRequest, "invalid_id"),
            (() => host.Post("/api/programs", """{"name": "broken", "source": "def main(input:\n    return 1\n"}"""), HttpStatusCode.BadRequest, "compile_error"),
            (() => host.Post("/api/programs", """{"name": "no spaces", "source": "x = 1"}"""), HttpStatusCode.BadRequest, "invalid_name"),
            (() => host.Post("/api/programs", """{"name": "missing_source"}"""), HttpStatusCode.BadRequest, "invalid_request"),
            (() => host.Get("/api/instances/nobody"), HttpStatusCode.NotFound, "unknown_instance"),
            (() => host.Get("/api/instances/nobody/stack"), HttpStatusCode.NotFound, "unknown_instance"),
            (() => host.Post("/api/instances/nobody/signals/decision", "true"), HttpStatusCode.NotFound, "unknown_instance"),
            (() => host.Post("/api/instances/nobody/cancel", ""), HttpStatusCode.NotFound, "unknown_instance"),
            (() => host.Post($"/api/instances/{id}/signals/decision", """{"approved": tru"""), HttpStatusCode.BadRequest, "invalid_json"),
            (() => host.Post($"/api/instances/{id}/signals/decision", "NaN"), HttpStatusCode.BadRequest, "invalid_json"),
            (() => host.Post($"/api/instances/{id}/signals/decision", "[1, Infinity]"), HttpStatusCode.BadRequest, "invalid_json"),
            (() => host.Get("/api/instances?status=sleeping"), HttpStatusCode.BadRequest, "invalid_query"),
            (() => host.Get("/api/instances?limit=0"), HttpStatusCode.BadRequest, "invalid_query"),
            (() => host.Get("/api/instances?cursor=not-a-cursor"), HttpStatusCode.BadRequest, "invalid_query"),
            (() => host.Post("/api/instances", """{"workflow": "approval", "id": "a/b"}"""), HttpStatusCode.BadRequest, "invalid_id"),
            (() => host.Post("/api/instances", """{"workflow": "echo_back", "id": "kept"}"""), HttpStatusCode.Conflict, "id_taken"),
            (() => host.Get("/api/no/such/route"), HttpStatusCode.NotFound, "unknown_route"),
            (() => host.Http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api/instances/{id}")), HttpStatusCode.NotFound, "unknown_route"),
        };
        foreach (var (send, status, code) in cases)
        {
            var problem = await ApiHost.Problem(await send(), status, code);
            if (code == "compile_error") Assert.Equal(1, (int)problem["diagnostics"]![0]!["line"]!);
            if (code == "invalid_json") Assert.Matches("line 1, position [0-9]+|body is empty", (string?)problem["detail"]);
        }
        Assert.Equal(before, Snapshot(host.DatabasePath));

        // The bad payloads were not queued: the first signal the instance gets is the good one.
        await host.Post($"/api/instances/{id}/signals/decision", """{"approved": false, "by": "carol"}""");
        var done = await host.WaitForStatus(id, "completed");
        Assert.Equal("carol", (string?)done["result"]!["by"]);
    }

    [Fact]
    public async Task A_missing_or_wrong_api_key_gets_401_and_changes_nothing()
    {
        const string key = "a-long-enough-test-key-1234";
        await using var host = await ApiHost.StartAsync(o => o.ApiKey = key);
        await ApiHost.Json(await host.Post("/api/programs", """{"name": "p", "source": "def main(input):\n    return input\n"}""", key), HttpStatusCode.Created);
        var before = Snapshot(host.DatabasePath);

        foreach (var given in new string?[] { null, "wrong-key-of-the-same-size-12", "" })
        {
            var refused = await ApiHost.Problem(await host.Post("/api/instances", """{"workflow": "p", "input": 1}""", given), HttpStatusCode.Unauthorized, "api_key_required");
            Assert.Contains(given is null or "" ? "send the API key in the X-Api-Key header" : "does not match the configured key", (string?)refused["detail"]);
            await ApiHost.Problem(await host.Post("/api/instances/any/signals/go", "1", given), HttpStatusCode.Unauthorized, "api_key_required");
            await ApiHost.Problem(await host.Post("/api/instances/any/cancel", "", given), HttpStatusCode.Unauthorized, "api_key_required");
            await ApiHost.Problem(await host.Get("/api/instances", given), HttpStatusCode.Unauthorized, "api_key_required");
            await ApiHost.Problem(await host.Post("/api/programs", """{"name": "q", "source": "x = 1"}""", given), HttpStatusCode.Unauthorized, "api_key_required");
        }
        Assert.Equal(before, Snapshot(host.DatabasePath));

        // With the key, everything works; the dashboard page and the health check need none.
        await ApiHost.Json(await host.Post("/api/instances", """{"workflow": "p", "input": 1}""", key), HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.OK, (await host.Get("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Get("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Starting_an_id_twice_returns_the_first_instance()
    {
        await using var host = await ApiHost.StartAsync();
        await host.Deploy("approval", Approval);
        await host.Start("approval", new JObject { ["items"] = new JArray(1) }, id: "same");
        var again = await ApiHost.Json(await host.Post("/api/instances", """{"workflow": "approval", "input": {"items": [2]}, "id": "same"}"""), HttpStatusCode.OK);
        Assert.Equal(("same", false), ((string)again["id"]!, (bool)again["created"]!));
        Assert.Equal(new JArray(1), (await host.Instance("same"))["input"]!["items"]);
    }

    [Fact]
    public async Task Instances_are_listed_newest_first_in_pages_with_filters()
    {
        await using var host = await ApiHost.StartAsync();
        await host.Deploy("approval", Approval);
        await host.Deploy("echo_back", "def main(input):\n    return input\n");
        for (int i = 0; i < 5; i++) await host.Start("approval", new JObject { ["items"] = new JArray(i) }, id: $"a{i}");
        await host.Start("echo_back", 1, id: "e0");
        await host.WaitForStatus("e0", "completed");
        for (int i = 0; i < 5; i++) await host.WaitForStatus($"a{i}", "waiting");

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await ApiHost.Json(await host.Get($"/api/instances?limit=2&workflow=approval{(cursor == null ? "" : "&cursor=" + cursor)}"), HttpStatusCode.OK);
            var rows = (JArray)page["instances"]!;
            Assert.InRange(rows.Count, 1, 2);
            seen.AddRange(rows.Select(r => (string)r["id"]!));
            cursor = (string?)page["nextCursor"];
        } while (cursor != null);
        Assert.Equal(["a4", "a3", "a2", "a1", "a0"], seen);

        var completed = await ApiHost.Json(await host.Get("/api/instances?status=completed"), HttpStatusCode.OK);
        Assert.Equal(["e0"], ((JArray)completed["instances"]!).Select(r => (string)r["id"]!));
        var programs = await ApiHost.Json(await host.Get("/api/programs"), HttpStatusCode.OK);
        Assert.Equal(["approval", "echo_back"], ((JArray)programs["programs"]!).Select(p => (string)p["name"]!));
    }

    [Fact]
    public async Task The_openapi_document_describes_every_route_and_the_health_check_answers()
    {
        await using var host = await ApiHost.StartAsync();
        var document = await ApiHost.Json(await host.Get("/openapi/workflows.json"), HttpStatusCode.OK);
        var paths = (JObject)document["paths"]!;
        Assert.Equal(
            ["/api/instances", "/api/instances/{id}", "/api/instances/{id}/cancel", "/api/instances/{id}/fork", "/api/instances/{id}/history",
                "/api/instances/{id}/history/{turn}/stack", "/api/instances/{id}/pause", "/api/instances/{id}/resume", "/api/instances/{id}/rewind",
                "/api/instances/{id}/signals/{name}", "/api/instances/{id}/stack", "/api/instances/{id}/terminate", "/api/programs",
                "/api/programs/{name}", "/api/programs/{name}/versions/{version}"],
            paths.Properties().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.NotNull(paths["/api/instances"]!["post"]!["requestBody"]!["content"]!["application/json"]);
        // Every operation may meet a storage fault, and says so.
        Assert.All(paths.Properties().SelectMany(p => ((JObject)p.Value).Properties()), operation =>
            Assert.NotNull(operation.Value["responses"]!["503"]));
        var health = await host.Get("/healthz");
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_dashboard_is_one_page_with_nothing_loaded_from_elsewhere()
    {
        await using var host = await ApiHost.StartAsync();
        var page = await host.Get("/");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("id=\"frames\"", html);
        Assert.DoesNotMatch(@"(src|href)\s*=\s*[""']?(https?:)?//", html);
    }

    [Fact]
    public async Task Without_a_key_requests_from_other_sites_are_refused_and_change_nothing()
    {
        await using var host = await ApiHost.StartAsync();
        await host.Deploy("p", "def main(input):\n    return input\n");
        var before = Snapshot(host.DatabasePath);
        // What a web page the user visits could make the browser send to 127.0.0.1: a simple cross-site
        // post, a request after DNS rebinding (its own host name), a request the browser marks cross-site.
        var attempts = new (string Header, string Value)[]
        {
            ("Origin", "http://evil.example"), ("Origin", "null"), ("Host", "rebind.evil.example"), ("Sec-Fetch-Site", "cross-site"),
        };
        foreach (var (header, value) in attempts)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/instances") { Content = new StringContent("""{"workflow": "p", "input": 1}""") };
            request.Headers.TryAddWithoutValidation(header, value);
            if (header == "Host") request.Headers.Host = value;
            var problem = await ApiHost.Problem(await host.Http.SendAsync(request), HttpStatusCode.Unauthorized, "api_key_required");
            Assert.Contains("no API key is configured", (string?)problem["detail"]);
        }
        Assert.Equal(before, Snapshot(host.DatabasePath));

        // The dashboard itself calls from its own loopback origin, and cannot be framed by another site.
        var own = new HttpRequestMessage(HttpMethod.Post, "/api/instances") { Content = new StringContent("""{"workflow": "p", "input": 1}""") };
        own.Headers.TryAddWithoutValidation("Origin", host.BaseAddress);
        Assert.Equal(HttpStatusCode.Created, (await host.Http.SendAsync(own)).StatusCode);
        var page = await host.Get("/");
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task Results_nested_deeper_than_a_json_readers_default_are_shown()
    {
        await using var host = await ApiHost.StartAsync();
        await host.Deploy("deep", "def main(input):\n    x = 1\n    for i in range(100):\n        x = [x]\n    return x\n");
        var id = await host.Start("deep");
        JObject done;
        while (true)
        {
            var response = await host.Get($"/api/instances/{id}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            using var reader = new Newtonsoft.Json.JsonTextReader(new StringReader(text)) { MaxDepth = null };
            done = JObject.Load(reader);
            if ((string)done["status"]! == "completed") break;
            await Task.Delay(50);
        }
        var value = done["result"]!;
        var depth = 0;
        while (value is JArray { Count: 1 } list) { value = list[0]; depth++; }
        Assert.Equal((100, 1), (depth, (int)value));
    }

    /// <summary>Everything a refused request could have changed, read straight from the file.</summary>
    internal static string Snapshot(string databasePath)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var parts = new List<string>();
        foreach (var sql in new[]
        {
            "SELECT group_concat(Id || ':' || Status || ':' || Revision || ':' || Ready, ',') FROM (SELECT * FROM instances ORDER BY Id)",
            "SELECT COUNT(*) FROM inbox", "SELECT COUNT(*) FROM deployments", "SELECT COUNT(*) FROM programs",
            "SELECT COUNT(*) FROM activity_tasks", "SELECT COUNT(*) FROM timers",
        })
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            parts.Add(Convert.ToString(command.ExecuteScalar()) ?? "");
        }
        return string.Join(" | ", parts);
    }
}
