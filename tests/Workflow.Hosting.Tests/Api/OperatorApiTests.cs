using System.Collections.Concurrent;
using System.Net;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Workflow.Hosting.Activities;
using Workflow.Tests.Shared;

namespace Workflow.Hosting.Tests.Api;

/// <summary>Terminate, rewind and fork over a real server, on SQLite and on PostgreSQL.</summary>
public abstract class OperatorApiTests
{
    internal abstract Task<ApiHost> StartHost(Action<WorkflowBuilder>? build = null);

    /// <summary>What the test activities were called with, by activity name.</summary>
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _calls = new();
    private volatile bool _fixed;

    private void Record(string name, ActivityContext context) =>
        _calls.GetOrAdd(name, _ => new ConcurrentQueue<string>()).Enqueue(context.IdempotencyKey);

    private int Calls(string name) => _calls.TryGetValue(name, out var calls) ? calls.Count : 0;

    private Task<ApiHost> Host() => StartHost(workflows =>
    {
        workflows.AddActivity("cleanup", context => { Record("cleanup", context); return "cleaned"; });
        workflows.AddActivity("slow", async context =>
        {
            Record("slow", context);
            await Task.Delay(TimeSpan.FromMinutes(5), context.CancellationToken);
            return "late";
        });
        workflows.AddActivity("flaky", context =>
        {
            Record("flaky", context);
            if (!_fixed) throw new InvalidOperationException("the flaky service is down");
            return "fixed " + (string?)context.Argument(0);
        });
    });

    private static async Task<JObject> Read(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{response.StatusCode}: {text}");
        using var reader = new JsonTextReader(new StringReader(text)) { DateParseHandling = DateParseHandling.None };
        return JObject.Load(reader);
    }

    private static async Task<List<JObject>> History(ApiHost host, string id) =>
        ((JArray)(await Read(await host.Get($"/api/instances/{id}/history")))["turns"]!).Cast<JObject>().ToList();

    private static async Task WaitUntil(Func<Task<bool>> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting: " + what);
            await Task.Delay(20);
        }
    }

    private static Task WaitForSignalWait(ApiHost host, string id, string signal) =>
        WaitUntil(async () => (await (await host.Get($"/api/instances/{id}/stack")).Content.ReadAsStringAsync()).Contains($"signal '{signal}'"),
            $"{id} waiting for signal {signal}");

    [Fact]
    public async Task Terminate_ends_the_instance_at_once_its_finally_never_runs_its_activity_and_child_are_called_off()
    {
        await using var host = await Host();
        await host.Deploy("sleeper", "def main(input):\n    await signal('never')\n");
        await host.Deploy("holder", """
            def main(input):
                work = activity("slow")
                kid = child("sleeper", None)
                try:
                    await signal("go")
                finally:
                    await activity("cleanup")
            """);
        var id = await host.Start("holder", id: "h1");
        await WaitForSignalWait(host, id, "go");
        await WaitUntil(() => Task.FromResult(Calls("slow") == 1), "the slow activity to start");
        await host.WaitForStatus(id + ".2", "waiting");

        var terminated = await Read(await host.Post($"/api/instances/{id}/terminate", """{"reason": "customer left"}"""), HttpStatusCode.Accepted);
        Assert.Equal("terminated", (string?)terminated["status"]);
        var done = await host.Instance(id);
        Assert.Equal("terminated", (string?)done["status"]);
        Assert.Equal("TerminatedError: the workflow was terminated by an operator: customer left", (string?)done["error"]);
        Assert.Empty((JArray)done["pending"]!["activities"]!);
        var child = await host.Instance(id + ".2");
        Assert.Equal("terminated", (string?)child["status"]);
        Assert.Contains("its parent 'h1' was terminated", (string?)child["error"]);

        var last = (await History(host, id))[^1];
        Assert.Equal(("terminate", "terminated", "customer left"), ((string)last["kind"]!, (string)last["status"]!, (string)last["reason"]!));
        // Its stack at the end is still readable: where it was when it was stopped.
        var stack = await Read(await host.Get($"/api/instances/{id}/history/{(int)last["turn"]!}/stack"));
        Assert.Equal("signal 'go'", (string?)stack["tasklets"]![0]!["waitingFor"]);

        // Nothing runs afterwards: a signal is refused, and the finally's activity was never called.
        await ApiHost.Problem(await host.Post($"/api/instances/{id}/signals/go", "1"), HttpStatusCode.Conflict, "instance_finished");
        await ApiHost.Problem(await host.Post($"/api/instances/{id}/terminate", ""), HttpStatusCode.Conflict, "instance_finished");
        await ApiHost.Problem(await host.Post("/api/instances/nobody/terminate", ""), HttpStatusCode.NotFound, "unknown_instance");
        await Task.Delay(300);
        Assert.Equal(0, Calls("cleanup"));
        Assert.Equal("terminated", (string?)(await host.Instance(id))["status"]);
    }

    private const string Adder = """
        def main(input):
            total = 0
            for i in range(3):
                total += await signal("add")
            return total
        """;

    /// <summary>Runs an Adder instance to completion with the signals 1, 2, 3 sent one turn apart.</summary>
    private static async Task<string> CompletedAdder(ApiHost host, string id)
    {
        await host.Deploy("adder", Adder);
        await host.Start("adder", id: id);
        for (int n = 1; n <= 3; n++)
        {
            await WaitForSignalWait(host, id, "add");
            var turns = (int)(await host.Instance(id))["turns"]!;
            await host.Post($"/api/instances/{id}/signals/add", n.ToString());
            await host.WaitFor(id, i => (int)i["turns"]! > turns);
        }
        var done = await host.WaitForStatus(id, "completed");
        Assert.Equal(6, (int)done["result"]!);
        return id;
    }

    [Fact]
    public async Task Rewind_with_signals_replays_the_signals_consumed_since_and_without_them_waits_for_new_ones()
    {
        await using var host = await Host();
        var id = await CompletedAdder(host, "a1");
        var history = await History(host, id);
        // The turn that consumed the first signal: the instance then waited for the second.
        var afterFirst = history.First(t => ((JArray?)t["consumed"])?.Any(c => (string?)c["kind"] == "signal") == true);
        int turn = (int)afterFirst["turn"]!;

        var rewound = await Read(await host.Post($"/api/instances/{id}/rewind", $$"""{"turn": {{turn}}}"""));
        Assert.Equal(turn, (int)rewound["toTurn"]!);
        var again = await host.WaitForStatus(id, "completed");
        Assert.Equal(6, (int)again["result"]!);
        var entry = (await History(host, id)).Single(t => (string?)t["kind"] == "rewind");
        Assert.Equal(turn, (int)entry["toTurn"]!);
        Assert.Equal([2, 3], ((JArray)entry["requeued"]!).Select(s => (int)s["payload"]!));

        // Without the signals: it waits for the second again, and new signals decide.
        await Read(await host.Post($"/api/instances/{id}/rewind", $$"""{"turn": {{turn}}, "reapplySignals": false}"""));
        await WaitForSignalWait(host, id, "add");
        Assert.Equal("waiting", (string?)(await host.Instance(id))["status"]);
        await host.Post($"/api/instances/{id}/signals/add", "10");
        await host.Post($"/api/instances/{id}/signals/add", "20");
        Assert.Equal(31, (int)(await host.WaitForStatus(id, "completed"))["result"]!);

        await ApiHost.Problem(await host.Post($"/api/instances/{id}/rewind", """{"turn": 999}"""), HttpStatusCode.Conflict, "cannot_rewind");
        // A turn that ended the instance has no state to go on from.
        var final = (await History(host, id))[^1];
        Assert.Equal("completed", (string?)final["status"]);
        await ApiHost.Problem(await host.Post($"/api/instances/{id}/rewind", $$"""{"turn": {{(int)final["turn"]!}}}"""), HttpStatusCode.Conflict, "cannot_rewind");
        await ApiHost.Problem(await host.Post($"/api/instances/{id}/rewind", """{"turn": "x"}"""), HttpStatusCode.BadRequest, "invalid_request");
        await ApiHost.Problem(await host.Post("/api/instances/nobody/rewind", """{"turn": 1}"""), HttpStatusCode.NotFound, "unknown_instance");
    }

    [Fact]
    public async Task A_failed_instance_rewound_after_its_activity_is_fixed_runs_the_activity_again_and_completes()
    {
        await using var host = await Host();
        await host.Deploy("charge", """
            def main(input):
                receipt = await activity("flaky", input["order"], retries=0)
                return {"receipt": receipt}
            """);
        var id = await host.Start("charge", new JObject { ["order"] = "o-7" }, id: "c1");
        var failed = await host.WaitForStatus(id, "failed");
        Assert.Contains("the flaky service is down", (string?)failed["error"]);
        Assert.Equal(1, Calls("flaky"));

        _fixed = true;
        await Read(await host.Post($"/api/instances/{id}/rewind", """{"turn": 1}"""));
        var done = await host.WaitForStatus(id, "completed");
        Assert.Equal("fixed o-7", (string?)done["result"]!["receipt"]);
        // The same call, under its original idempotency key.
        Assert.Equal(["c1/1", "c1/1"], _calls["flaky"]);
    }

    [Fact]
    public async Task Fork_starts_a_new_instance_from_a_past_turn_on_a_new_version_whose_resume_sites_match()
    {
        await using var host = await Host();
        await host.Deploy("quote", """
            def main(input):
                price = input["base"] * 2
                answer = await signal("accept")
                return {"v": 1, "price": price, "answer": answer}
            """);
        var id = await host.Start("quote", new JObject { ["base"] = 5 }, id: "q1");
        await WaitForSignalWait(host, id, "accept");
        var v2 = (string)(await host.Deploy("quote", """
            def main(input):
                price = input["base"] * 2
                answer = await signal("accept")
                return {"v": 2, "price": price + 1, "answer": answer}
            """))["version"]!;
        var v3 = (string)(await host.Deploy("quote", """
            def main(input):
                await sleep(0)
                price = input["base"] * 2
                answer = await signal("accept")
                return {"v": 3, "price": price, "answer": answer}
            """))["version"]!;

        var forked = await Read(await host.Post($"/api/instances/{id}/fork", $$"""{"turn": 1, "id": "q1-v2", "version": "{{v2}}"}"""), HttpStatusCode.Created);
        Assert.Equal("q1-v2", (string?)forked["id"]);
        await WaitForSignalWait(host, "q1-v2", "accept");
        await host.Post("/api/instances/q1-v2/signals/accept", "\"yes\"");
        var done = await host.WaitForStatus("q1-v2", "completed");
        Assert.Equal(JObject.Parse("""{"v": 2, "price": 11, "answer": "yes"}"""), done["result"]);
        Assert.Equal(v2, (string?)done["version"]);
        var first = (await History(host, "q1-v2"))[0];
        Assert.Equal(("fork", "q1", 1), ((string)first["kind"]!, (string)first["from"]!, (int)first["fromTurn"]!));
        // The original is untouched.
        Assert.Equal("waiting", (string?)(await host.Instance(id))["status"]);

        var refused = await ApiHost.Problem(await host.Post($"/api/instances/{id}/fork", $$"""{"turn": 1, "version": "{{v3}}"}"""), HttpStatusCode.Conflict, "cannot_fork");
        Assert.Contains("resume sites do not match", (string?)refused["detail"]);
        await ApiHost.Problem(await host.Post($"/api/instances/{id}/fork", """{"turn": 1, "id": "q1-v2"}"""), HttpStatusCode.Conflict, "id_taken");
        await ApiHost.Problem(await host.Post($"/api/instances/{id}/fork", """{"turn": 1, "version": "0000"}"""), HttpStatusCode.NotFound, "unknown_version");
        await ApiHost.Problem(await host.Post("/api/instances/nobody/fork", """{"turn": 1}"""), HttpStatusCode.NotFound, "unknown_instance");
        // Same version, new id: a copy that waits as the original does.
        var copy = await Read(await host.Post($"/api/instances/{id}/fork", """{"turn": 1}"""), HttpStatusCode.Created);
        await WaitForSignalWait(host, (string)copy["id"]!, "accept");
    }
}

public sealed class OperatorApiTestsOnSqlite : OperatorApiTests
{
    internal override Task<ApiHost> StartHost(Action<WorkflowBuilder>? build = null) => ApiHost.StartAsync(build: build);
}

public sealed class OperatorApiTestsOnPostgres : OperatorApiTests, IDisposable
{
    private readonly PostgresScratchDatabase _database = new();

    internal override Task<ApiHost> StartHost(Action<WorkflowBuilder>? build = null) =>
        ApiHost.StartAsync(build: workflows => { workflows.UsePostgres(_database.ConnectionString); build?.Invoke(workflows); });

    public void Dispose() => _database.Dispose();
}
