using System.Net;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Workflow.Tests.Shared;

namespace Workflow.Hosting.Tests.Api;

/// <summary>GET /api/instances/{id}/history and …/history/{turn}/stack over a real server, on SQLite and on PostgreSQL.</summary>
public abstract class HistoryApiTests
{
    internal abstract Task<ApiHost> StartHost();

    private const string Order = """
        def main(input):
            print("order", input["n"])
            reserved = await activity("echo", input["n"])
            await sleep(0)
            doubled = await child("double", reserved)
            decision = await signal("approve")
            print("approved by", decision["by"])
            return {"n": reserved, "doubled": doubled, "by": decision["by"]}
        """;

    private static JObject Parse(string json)
    {
        using var reader = new JsonTextReader(new StringReader(json)) { DateParseHandling = DateParseHandling.None };
        return JObject.Load(reader);
    }

    private static async Task<JObject> Read(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Parse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_history_of_an_instance_with_an_activity_a_timer_a_child_and_a_signal_and_the_stack_at_a_past_turn()
    {
        await using var host = await StartHost();
        await host.Deploy("double", "def main(input):\n    return input * 2\n");
        await host.Deploy("order", Order);
        var id = await host.Start("order", new JObject { ["n"] = 21 }, id: "o1");
        // Signals queue until asked for; sent only once the instance waits for it, it arrives in a turn of its own.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await (await host.Get($"/api/instances/{id}/stack")).Content.ReadAsStringAsync()).Contains("signal 'approve'"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the instance never waited for the signal");
            await Task.Delay(20);
        }
        Assert.Equal(HttpStatusCode.Accepted, (await host.Post($"/api/instances/{id}/signals/approve", """{"by": "ann"}""")).StatusCode);
        var done = await host.WaitForStatus(id, "completed");
        Assert.Equal(JObject.Parse("""{"n": 21, "doubled": 42, "by": "ann"}"""), done["result"]);

        var history = await Read(await host.Get($"/api/instances/{id}/history"));
        Assert.Equal(JTokenType.Null, history["nextCursor"]!.Type);
        var turns = ((JArray)history["turns"]!).Cast<JObject>().ToList();
        Assert.Equal(Enumerable.Range(1, turns.Count), turns.Select(t => (int)t["turn"]!));
        Assert.Equal((int)done["turns"]!, turns.Count);
        Assert.All(turns, t => Assert.Equal("turn", (string?)t["kind"]));
        Assert.All(turns, t => Assert.False(string.IsNullOrEmpty((string?)t["worker"])));
        Assert.Equal("completed", (string?)turns[^1]["status"]);
        Assert.All(turns.Take(turns.Count - 1), t => Assert.Equal("waiting", (string?)t["status"]));
        Assert.Equal(JObject.Parse("""{"n": 21, "doubled": 42, "by": "ann"}"""), turns[^1]["result"]);

        var consumed = turns.SelectMany(t => ((JArray?)t["consumed"] ?? []).Cast<JObject>()).ToList();
        Assert.Equal(["start", "activity_completed", "timer_fired", "child_completed", "signal"], consumed.Select(c => (string)c["kind"]!));
        Assert.Equal(21, (int)consumed[0]["input"]!["n"]!);
        Assert.Equal(("echo", 21, 1), ((string)consumed[1]["name"]!, (int)consumed[1]["result"]!, (int)consumed[1]["attempts"]!));
        Assert.Equal(("double", 42), ((string)consumed[3]["workflow"]!, (int)consumed[3]["result"]!));
        Assert.Equal(("approve", "ann"), ((string)consumed[4]["name"]!, (string)consumed[4]["payload"]!["by"]!));

        var started = turns.SelectMany(t => ((JArray?)t["started"] ?? []).Cast<JObject>()).ToList();
        Assert.Equal(["activity", "timer", "child"], started.Select(s => (string)s["kind"]!));
        Assert.Equal(new JArray(21), started[0]["arguments"]);
        Assert.Equal("o1." + (int)started[2]["sequence"]!, (string?)started[2]["id"]);
        Assert.Equal("order 21\n", (string?)turns[0]["output"]);
        Assert.Equal("approved by ann\n", (string?)turns[^1]["output"]);

        // The turn that waited for the signal: its stack, read from the pickle it committed.
        var waited = turns.Single(t => ((JArray?)t["waitingFor"])?.Any(w => (string?)w["name"] == "approve") == true);
        Assert.True((bool)waited["hasPickle"]!);
        Assert.True((int)waited["pickleBytes"]! > 0);
        var stack = await Read(await host.Get($"/api/instances/{id}/history/{(int)waited["turn"]!}/stack"));
        Assert.Equal((id, "waiting", (int)waited["turn"]!), ((string)stack["id"]!, (string)stack["status"]!, (int)stack["turn"]!));
        var tasklet = (JObject)stack["tasklets"]![0]!;
        Assert.Equal("signal 'approve'", (string?)tasklet["waitingFor"]);
        var locals = (JObject)tasklet["frames"]![0]!["locals"]!;
        Assert.Equal((21, 42), ((int)locals["reserved"]!, (int)locals["doubled"]!));
        // The last turn completed: no pickle, no tasklets.
        var last = await Read(await host.Get($"/api/instances/{id}/history/{turns.Count}/stack"));
        Assert.Empty((JArray)last["tasklets"]!);

        // The child has a journal of its own.
        var child = await Read(await host.Get($"/api/instances/{(string)started[2]["id"]!}/history"));
        Assert.Equal("completed", (string?)child["turns"]![0]!["status"]);
    }

    [Fact]
    public async Task History_pages_with_a_cursor_and_refuses_bad_requests_with_problems()
    {
        await using var host = await StartHost();
        await host.Deploy("loop", """
            def main(input):
                for i in range(4):
                    await signal("next")
                return "done"
            """);
        var id = await host.Start("loop", id: "l1");
        await host.WaitForStatus(id, "waiting");
        for (int i = 0; i < 4; i++)
        {
            await host.Post($"/api/instances/{id}/signals/next", i.ToString());
            await host.WaitFor(id, d => (int)d["turns"]! >= i + 2);
        }
        await host.WaitForStatus(id, "completed");
        var seen = new List<int>();
        string? cursor = null;
        do
        {
            var page = await Read(await host.Get($"/api/instances/{id}/history?limit=2" + (cursor == null ? "" : "&cursor=" + cursor)));
            var turns = (JArray)page["turns"]!;
            Assert.True(turns.Count <= 2);
            seen.AddRange(turns.Select(t => (int)t["turn"]!));
            cursor = (string?)page["nextCursor"];
        } while (cursor != null);
        Assert.Equal([1, 2, 3, 4, 5], seen);

        await ApiHost.Problem(await host.Get("/api/instances/nobody/history"), HttpStatusCode.NotFound, "unknown_instance");
        await ApiHost.Problem(await host.Get("/api/instances/nobody/history/1/stack"), HttpStatusCode.NotFound, "unknown_instance");
        await ApiHost.Problem(await host.Get($"/api/instances/{id}/history/99/stack"), HttpStatusCode.NotFound, "unknown_turn");
        await ApiHost.Problem(await host.Get($"/api/instances/{id}/history/0/stack"), HttpStatusCode.BadRequest, "invalid_turn");
        await ApiHost.Problem(await host.Get($"/api/instances/{id}/history/x/stack"), HttpStatusCode.BadRequest, "invalid_turn");
        await ApiHost.Problem(await host.Get($"/api/instances/{id}/history?limit=0"), HttpStatusCode.BadRequest, "invalid_query");
        await ApiHost.Problem(await host.Get($"/api/instances/{id}/history?cursor=abc"), HttpStatusCode.BadRequest, "invalid_query");
    }
}

public sealed class HistoryApiTestsOnSqlite : HistoryApiTests
{
    internal override Task<ApiHost> StartHost() => ApiHost.StartAsync();
}

public sealed class HistoryApiTestsOnPostgres : HistoryApiTests, IDisposable
{
    private readonly PostgresScratchDatabase _database = new();

    internal override Task<ApiHost> StartHost() => ApiHost.StartAsync(build: workflows => workflows.UsePostgres(_database.ConnectionString));

    public void Dispose() => _database.Dispose();
}
