using System.Text.Json.Nodes;
using Workflow.Isolation.Tests.Harness;

namespace Workflow.Isolation.Tests;

/// <summary>
/// The activity runner is shared fairly between instances: an instance with thousands of pending
/// activities does not make another instance's one activity wait behind all of them.
/// </summary>
[Collection(HostileServerCollection.Name)]
public sealed class ActivityFairnessTests(HostileServer server, ITestOutputHelper output)
{
    /// <summary>Pending activities the flood may have left when a probe's activity is done; under first come, first served it would have left at most the runner's claimed batch (100) and its concurrency (64).</summary>
    private const int StillPendingAtLeast = 1_000;

    [Fact]
    public async Task A_probe_started_after_five_thousand_pending_echoes_completes_before_most_of_them_ran()
    {
        var flood = await server.Api.Start("activity_flood", new JsonObject { ["count"] = 5_000 });
        // Once its first turn is committed, its 5,000 activities are in the queue ahead of anything started now.
        var deadline = server.Deadline(HostileServer.Patience);
        while (Pending(await server.Api.Instance(flood)) == 0)
        {
            server.AssertAlive();
            Assert.True(DateTime.UtcNow < deadline, "the flood's first turn did not commit its activities in time");
            await Task.Delay(20);
        }

        var probes = await Task.WhenAll(Enumerable.Range(1, 3).Select(n => server.Api.Start("probe", 1_000_000 + n)));
        var seenPending = new List<int>();
        foreach (var (probe, n) in probes.Select((p, i) => (p, i + 1)))
        {
            var ended = await server.WaitForEnd(probe);
            Assert.Equal("completed", (string?)ended["status"]);
            Assert.Equal(1_000_000 + n, (int)ended["result"]!);
            seenPending.Add(Pending(await server.Api.Instance(flood)));
        }
        output.WriteLine($"the flood still had {string.Join(", ", seenPending)} activities pending as each probe was seen completed");
        Assert.True(seenPending[0] >= StillPendingAtLeast,
            $"the first probe completed only when the flood had {seenPending[0]} of its 5,000 activities left: its activity waited behind the others");

        var done = await server.WaitForEnd(flood);
        Assert.Equal("completed", (string?)done["status"]);
        Assert.Equal(5_000, (int)done["result"]!);
        await server.AssertStillServing(output);
    }

    private static int Pending(JsonObject? instance) => instance?["pending"]?["activities"]?.AsArray().Count ?? 0;
}
