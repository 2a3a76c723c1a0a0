using System.Net;
using Newtonsoft.Json.Linq;

namespace Workflow.Hosting.Tests.Api;

/// <summary>
/// The reads the dashboard's pages need beyond an instance's own: a parent's children, a workflow's
/// deployments and the source of each version, and the signals a waiting stack takes.
/// </summary>
public sealed class DashboardReadsApiTests
{
    [Fact]
    public async Task The_list_filtered_by_parent_gives_its_children_newest_first()
    {
        await using var host = await ApiHost.StartAsync();
        await host.Deploy("leaf", "def main(input):\n    return await signal(\"go\")\n");
        await host.Deploy("fan", """
            def main(input):
                futures = [child("leaf", n) for n in range(input)]
                return await gather(*futures)
            """);
        var parent = await host.Start("fan", 3, id: "fan-1");
        await host.Start("leaf", 0, id: "unrelated");
        var children = await WaitForChildren(host, parent, 3);
        Assert.All(children, c => Assert.Equal(("leaf", parent), ((string)c["workflow"]!, (string)c["parentId"]!)));
        Assert.DoesNotContain("unrelated", children.Select(c => (string)c["id"]!));
        var created = children.Select(c => (string)c["createdAt"]!).ToList();
        Assert.Equal(created.OrderDescending(StringComparer.Ordinal), created);

        var none = await ApiHost.Json(await host.Get("/api/instances?parent=unrelated"), HttpStatusCode.OK);
        Assert.Empty((JArray)none["instances"]!);
        var paged = await ApiHost.Json(await host.Get($"/api/instances?parent={parent}&limit=2"), HttpStatusCode.OK);
        Assert.Equal(2, ((JArray)paged["instances"]!).Count);
        Assert.NotNull((string?)paged["nextCursor"]);
    }

    [Fact]
    public async Task A_workflow_lists_its_deployments_newest_first_and_each_versions_source()
    {
        await using var host = await ApiHost.StartAsync();
        const string v1 = "def main(input):\n    return 1\n", v2 = "def main(input):\n    return 2\n";
        var first = (string)(await host.Deploy("order", v1))["version"]!;
        var second = (string)(await host.Deploy("order", v2))["version"]!;
        await host.Deploy("order", v1); // rolled back: the first version is current again
        await host.Deploy("other", v2);

        var history = await ApiHost.Json(await host.Get("/api/programs/order"), HttpStatusCode.OK);
        Assert.Equal(("order", first), ((string)history["name"]!, (string)history["version"]!));
        var deployments = (JArray)history["deployments"]!;
        Assert.Equal([first, second, first], deployments.Select(d => (string)d["version"]!));
        var times = deployments.Select(d => DateTime.Parse((string)d["deployedAt"]!, null, System.Globalization.DateTimeStyles.RoundtripKind)).ToList();
        Assert.Equal(times.OrderDescending(), times);

        var source = await ApiHost.Json(await host.Get($"/api/programs/order/versions/{second}"), HttpStatusCode.OK);
        Assert.Equal(("order", second, v2), ((string)source["name"]!, (string)source["version"]!, (string)source["source"]!));
        Assert.Empty((JObject)source["modules"]!);
        Assert.NotNull((string?)source["createdAt"]);

        await ApiHost.Problem(await host.Get("/api/programs/nothing"), HttpStatusCode.NotFound, "unknown_workflow");
        await ApiHost.Problem(await host.Get($"/api/programs/nothing/versions/{first}"), HttpStatusCode.NotFound, "unknown_workflow");
        await ApiHost.Problem(await host.Get("/api/programs/order/versions/feedbeef"), HttpStatusCode.NotFound, "unknown_version");
        // A version stored for another name is not this name's.
        var otherOnly = (string)(await host.Deploy("third", "def main(input):\n    return 3\n"))["version"]!;
        await ApiHost.Problem(await host.Get($"/api/programs/order/versions/{otherOnly}"), HttpStatusCode.NotFound, "unknown_version");
    }

    [Fact]
    public async Task A_waiting_stack_names_the_signals_its_await_takes_even_inside_first()
    {
        await using var host = await ApiHost.StartAsync();
        await host.Deploy("race", """
            def main(input):
                index, value = await first(signal("approve"), sleep(days(2)), signal("reject"))
                return index
            """);
        var id = await host.Start("race", null);
        await host.WaitForStatus(id, "waiting");
        var stack = await ApiHost.Json(await host.Get($"/api/instances/{id}/stack"), HttpStatusCode.OK);
        var tasklet = stack["tasklets"]![0]!;
        Assert.Equal("first of 3", (string?)tasklet["waitingFor"]);
        Assert.Equal(["approve", "reject"], ((JArray)tasklet["awaitedSignals"]!).Select(s => (string)s!));

        await host.Deploy("sleeper", "def main(input):\n    await sleep(days(2))\n");
        var sleeper = await host.Start("sleeper", null);
        await host.WaitForStatus(sleeper, "waiting");
        var sleeping = await ApiHost.Json(await host.Get($"/api/instances/{sleeper}/stack"), HttpStatusCode.OK);
        Assert.Null(sleeping["tasklets"]![0]!["awaitedSignals"]);
    }

    [Fact]
    public async Task The_openapi_document_has_the_parent_filter_and_the_program_reads_with_their_404s()
    {
        await using var host = await ApiHost.StartAsync();
        var paths = (JObject)(await ApiHost.Json(await host.Get("/openapi/workflows.json"), HttpStatusCode.OK))["paths"]!;
        var list = paths["/api/instances"]!["get"]!;
        Assert.Contains("parent", ((JArray)list["parameters"]!).Select(p => (string)p["name"]!));
        foreach (var path in new[] { "/api/programs/{name}", "/api/programs/{name}/versions/{version}" })
        {
            var read = paths[path]!["get"]!;
            Assert.False(string.IsNullOrWhiteSpace((string?)read["summary"]), path);
            Assert.NotNull(read["responses"]!["200"]);
            Assert.NotNull(read["responses"]!["404"]);
        }
    }

    private static async Task<List<JObject>> WaitForChildren(ApiHost host, string parent, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var page = await ApiHost.Json(await host.Get($"/api/instances?parent={parent}"), HttpStatusCode.OK);
            var children = ((JArray)page["instances"]!).Cast<JObject>().ToList();
            if (children.Count == count) return children;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{parent} has {children.Count} children, not {count}");
            await Task.Delay(50);
        }
    }
}
