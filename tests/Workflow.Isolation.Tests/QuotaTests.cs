using System.Net;
using System.Text.Json.Nodes;
using Workflow.Isolation.Tests.Harness;

namespace Workflow.Isolation.Tests;

/// <summary>
/// Per-instance quotas: an instance that asks for more than its share of live tasklets, pending
/// activities, timers or children, or that would commit a pickle or a result over its size quota,
/// fails with an error that names the limit and what it limits. All of them run at once.
/// </summary>
[Collection(HostileServerCollection.Name)]
public sealed class QuotaTests(HostileServer server, ITestOutputHelper output)
{
    /// <summary>Twice each count quota (10,000), and five times the activities one.</summary>
    private Task<IReadOnlyDictionary<string, string>> Started() => server.StartOnce("quotas", async api =>
    {
        var cases = new (string Case, string Workflow, JsonNode? Input)[]
        {
            ("tasklets", "spawn_loop", null),
            ("pickle", "pickle_bomb", null),
            ("result", "sized_result", new JsonObject { ["bytes"] = 3 * 1024 * 1024 }),
            ("activities", "activity_flood", new JsonObject { ["count"] = 50_000 }),
            ("timers", "timer_flood", new JsonObject { ["count"] = 20_000 }),
            ("children", "child_fanout", new JsonObject { ["count"] = 20_000 }),
            ("chain", "child_chain", 0),
        };
        return (await Task.WhenAll(cases.Select(async c => (c.Case, Id: await api.Start(c.Workflow, c.Input)))))
            .ToDictionary(c => c.Case, c => c.Id);
    });

    private async Task<string> Failed(string @case, params string[] words)
    {
        var ended = await server.WaitForEnd((await Started())[@case]);
        var error = HostileServer.AssertFailedNaming(ended, words);
        output.WriteLine($"{@case}: {error.TrimEnd().Split('\n')[^1]}");
        return (string)ended["id"]!;
    }

    [Theory]
    [InlineData("tasklets")]   // spawn in a loop, each tasklet blocked on a channel
    [InlineData("activities")] // gather of 50,000 echo activities
    [InlineData("timers")]     // gather of 20,000 hour-long sleeps
    [InlineData("children")]   // gather of 20,000 children
    public async Task Starting_more_than_a_count_quota_allows_fails_on_that_limit(string quota)
    {
        await Failed(quota, quota, "limit");
        await server.AssertStillServing(output);
    }

    [Fact]
    public async Task Two_million_strings_across_a_timer_fail_on_the_pickle_limit_and_the_state_before_is_kept()
    {
        var id = await Failed("pickle", "pickle", "limit");
        // The state that would not fit was not committed: the instance keeps the last one that did, for
        // inspection, and its frame chain still reads from it. Slices commit progress, so that state is at
        // the first timer (pickle_bomb.wf line 4) or part-way through building the list (line 5).
        var stack = await WfApi.Json(await server.Api.Get($"/api/instances/{id}/stack"), HttpStatusCode.OK);
        var frames = stack["tasklets"]!.AsArray().SelectMany(t => t!["frames"]!.AsArray()).ToArray();
        Assert.True(frames.Any(f => (string?)f!["function"] == "main" && (int?)f["line"] is 4 or 5),
            $"the kept state is not one from before the strings were all built: {WfApi.Shorten(stack.ToJsonString())}");
        await server.AssertStillServing(output);
    }

    [Fact]
    public async Task A_result_over_two_megabytes_fails_on_the_result_limit()
    {
        await Failed("result", "result|payload", "limit");
        await server.AssertStillServing(output);
    }

    [Fact]
    public async Task A_workflow_that_starts_itself_as_its_child_ends_and_every_instance_of_the_chain_ends()
    {
        var root = (await Started())["chain"];
        try
        {
            await Failed("chain", "limit", "child|depth");
            // Bounded: no link of the chain is left running, and no new one appears.
            var chain = await server.Api.List("child_chain");
            var running = chain.Where(i => !WfApi.FinalStatuses.Contains((string)i["status"]!)).ToArray();
            output.WriteLine($"the chain has {chain.Count} instances, {running.Length} not ended");
            Assert.True(running.Length == 0, $"{running.Length} of the {chain.Count} instances of the chain have not ended, e.g. {running.FirstOrDefault()?.ToJsonString()}");
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Equal(chain.Count, (await server.Api.List("child_chain")).Count);
        }
        finally
        {
            // A chain that did not end would go on growing under the tests that follow: cancel it from the root.
            if (await server.Api.Instance(root) is { } instance && !WfApi.FinalStatuses.Contains((string)instance["status"]!))
            {
                using var cancelled = await server.Api.Post($"/api/instances/{root}/cancel", "");
                output.WriteLine($"the chain did not end; cancelling its root answered {(int)cancelled.StatusCode}, and it had {(await server.Api.List("child_chain")).Count} instances");
            }
        }
        await server.AssertStillServing(output);
    }
}
