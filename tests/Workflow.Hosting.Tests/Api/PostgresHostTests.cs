using Newtonsoft.Json.Linq;
using Workflow.Tests.Shared;

namespace Workflow.Hosting.Tests.Api;

/// <summary>The whole host on PostgreSQL (UsePostgres): migrations, turns, activities, clustered Quartz timers, signals and children.</summary>
public sealed class PostgresHostTests
{
    [Fact]
    public async Task Instances_with_activities_timers_signals_and_children_complete_on_postgres()
    {
        using var database = new PostgresScratchDatabase();
        await using var host = await ApiHost.StartAsync(build: workflows => workflows.UsePostgres(database.ConnectionString));
        await host.Deploy("double", "def main(input):\n    return await activity('echo', input * 2)\n");
        await host.Deploy("order", """
            def main(input):
                reserved = await activity("echo", input["n"])
                await sleep(0.3)
                doubled = await child("double", reserved)
                decision = await first(signal("approve"), sleep(days(1)))
                return {"n": reserved, "doubled": doubled, "decision": decision}
            """);
        var ids = new List<string>();
        for (int n = 0; n < 5; n++) ids.Add(await host.Start("order", new JObject { ["n"] = n }, id: $"o{n}"));
        foreach (var id in ids)
            await host.WaitFor(id, i => (string)i["status"]! == "waiting" && ((JArray)i["pending"]!["timers"]!).Count == 1
                && DateTime.Parse((string)i["pending"]!["timers"]![0]!["dueAt"]!).ToUniversalTime() > DateTime.UtcNow.AddHours(1));
        foreach (var id in ids) await host.Post($"/api/instances/{id}/signals/approve", "\"yes\"");
        for (int n = 0; n < 5; n++)
        {
            var done = await host.WaitForStatus(ids[n], "completed");
            Assert.Equal(JObject.Parse($$"""{"n": {{n}}, "doubled": {{2 * n}}, "decision": [0, "yes"]}"""), done["result"]);
        }
        var children = await ApiHost.Json(await host.Get("/api/instances?workflow=double&status=completed"), System.Net.HttpStatusCode.OK);
        Assert.Equal(5, ((JArray)children["instances"]!).Count);
    }
}
