using System.Net;
using Newtonsoft.Json.Linq;
using Workflow.Tests.Shared;

namespace Workflow.Hosting.Tests.Api;

/// <summary>POST /api/instances/{id}/pause and /resume, end to end, on SQLite and on PostgreSQL.</summary>
public sealed class PauseApiTests
{
    private const string Approval = """
        def main(input):
            decision = await signal("decision")
            return {"approved": decision["approved"], "by": decision["by"]}
        """;

    [Fact]
    public async Task A_signal_sent_while_paused_waits_for_resume_on_sqlite()
    {
        await using var host = await ApiHost.StartAsync();
        await SignalWaitsForResume(host);
    }

    [Fact]
    public async Task A_signal_sent_while_paused_waits_for_resume_on_postgres()
    {
        using var database = new PostgresScratchDatabase();
        await using var host = await ApiHost.StartAsync(build: workflows => workflows.UsePostgres(database.ConnectionString));
        await SignalWaitsForResume(host);
    }

    /// <summary>
    /// "held" is paused and signalled, then "witness" is signalled: claims take the oldest ready
    /// instance first and a lane commits its batches in order, so once the witness has completed, a
    /// worker that did not skip paused instances would have run held's turn already. Nothing sleeps.
    /// </summary>
    private static async Task SignalWaitsForResume(ApiHost host)
    {
        await host.Deploy("approval", Approval);
        await host.Start("approval", id: "held");
        await host.Start("approval", id: "witness");
        await host.WaitForStatus("held", "waiting");
        await host.WaitForStatus("witness", "waiting");

        var paused = await ApiHost.Json(await host.Post("/api/instances/held/pause", ""), HttpStatusCode.Accepted);
        Assert.Equal(new JObject { ["id"] = "held", ["paused"] = true }, paused);
        var before = await host.Instance("held");
        Assert.Equal("paused", (string?)before["status"]);
        // Pausing again is accepted and changes nothing.
        await ApiHost.Json(await host.Post("/api/instances/held/pause", ""), HttpStatusCode.Accepted);
        Assert.Equal(before, await host.Instance("held"));

        Assert.Equal(HttpStatusCode.Accepted, (await host.Post("/api/instances/held/signals/decision", """{"approved": true, "by": "ada"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await host.Post("/api/instances/witness/signals/decision", """{"approved": false, "by": "bob"}""")).StatusCode);
        await host.WaitForStatus("witness", "completed");

        var held = await host.Instance("held");
        Assert.Equal(("paused", (int)before["turns"]!), ((string)held["status"]!, (int)held["turns"]!));
        var stack = await ApiHost.Json(await host.Get("/api/instances/held/stack"), HttpStatusCode.OK);
        Assert.Equal("paused", (string?)stack["status"]);
        Assert.Equal("signal 'decision'", (string?)stack["tasklets"]![0]!["waitingFor"]);
        Assert.Equal(["held"], await Listed(host, "paused"));
        Assert.Empty(await Listed(host, "waiting"));
        Assert.Empty(await Listed(host, "terminated"));

        var resumed = await ApiHost.Json(await host.Post("/api/instances/held/resume", ""), HttpStatusCode.Accepted);
        Assert.Equal(new JObject { ["id"] = "held", ["paused"] = false }, resumed);
        var done = await host.WaitForStatus("held", "completed");
        Assert.Equal(JObject.Parse("""{"approved": true, "by": "ada"}"""), done["result"]);
        Assert.Empty(await Listed(host, "paused"));

        // A finished instance refuses both with 409, an unknown one with 404.
        foreach (var action in new[] { "pause", "resume" })
        {
            var finished = await ApiHost.Problem(await host.Post($"/api/instances/held/{action}", ""), HttpStatusCode.Conflict, "instance_finished");
            Assert.Contains("completed", (string?)finished["detail"]);
            await ApiHost.Problem(await host.Post($"/api/instances/nobody/{action}", ""), HttpStatusCode.NotFound, "unknown_instance");
        }
    }

    private static async Task<string[]> Listed(ApiHost host, string status)
    {
        var page = await ApiHost.Json(await host.Get($"/api/instances?status={status}"), HttpStatusCode.OK);
        return ((JArray)page["instances"]!).Select(i => (string)i["id"]!).ToArray();
    }

    [Fact]
    public async Task Pause_and_resume_need_the_api_key_and_are_in_the_openapi_document()
    {
        const string key = "a-long-enough-test-key-1234";
        await using var host = await ApiHost.StartAsync(o => o.ApiKey = key);
        await ApiHost.Json(await host.Post("/api/programs", new JObject { ["name"] = "approval", ["source"] = Approval }.ToString(), key), HttpStatusCode.Created);
        await ApiHost.Json(await host.Post("/api/instances", """{"workflow": "approval", "id": "i1"}""", key), HttpStatusCode.Created);
        foreach (var action in new[] { "pause", "resume" })
            await ApiHost.Problem(await host.Post($"/api/instances/i1/{action}", ""), HttpStatusCode.Unauthorized, "api_key_required");
        var shown = await ApiHost.Json(await host.Get("/api/instances/i1", key), HttpStatusCode.OK);
        Assert.NotEqual("paused", (string?)shown["status"]);
        await ApiHost.Json(await host.Post("/api/instances/i1/pause", "", key), HttpStatusCode.Accepted);
        Assert.Equal("paused", (string?)(await ApiHost.Json(await host.Get("/api/instances/i1", key), HttpStatusCode.OK))["status"]);

        var document = await ApiHost.Json(await host.Get("/openapi/workflows.json"), HttpStatusCode.OK);
        foreach (var action in new[] { "pause", "resume" })
        {
            var operation = (JObject)document["paths"]![$"/api/instances/{{id}}/{action}"]!["post"]!;
            Assert.False(string.IsNullOrWhiteSpace((string?)operation["summary"]));
            Assert.Equal(["202", "404", "409", "503"], ((JObject)operation["responses"]!).Properties().Select(p => p.Name).Order(StringComparer.Ordinal));
        }
    }
}
