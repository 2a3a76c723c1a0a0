using System.Net;
using System.Text.Json.Nodes;
using Workflow.Isolation.Tests.Harness;

namespace Workflow.Isolation.Tests;

/// <summary>
/// Payloads that cross the API are bounded (2 MB): a bigger one is refused before anything is
/// stored, and reading instances with results just under the bound stays cheap.
/// </summary>
[Collection(HostileServerCollection.Name)]
public sealed class PayloadLimitTests(HostileServer server, ITestOutputHelper output)
{
    private static readonly string OverTwoMegabytes = new('x', 2_500_000);

    [Fact]
    public async Task A_start_with_an_input_over_2_MB_is_refused_and_not_stored()
    {
        var body = new JsonObject { ["workflow"] = "probe", ["input"] = OverTwoMegabytes, ["id"] = "payload-over-2-mb" }.ToJsonString();
        using var response = await server.Api.Post("/api/instances", body);
        AssertRefused(response);
        Assert.Null(await server.Api.Instance("payload-over-2-mb"));
        await server.AssertStillServing(output);
    }

    [Fact]
    public async Task A_signal_with_a_payload_over_2_MB_is_refused_and_not_delivered()
    {
        var waiter = await server.Api.Start("waiter");
        using var response = await server.Api.Post($"/api/instances/{waiter}/signals/go", new JsonObject { ["big"] = OverTwoMegabytes }.ToJsonString());
        AssertRefused(response);
        await server.AssertWaiterReceivesOnly(waiter, "3");
        await server.AssertStillServing(output);
    }

    /// <summary>How much a round of four concurrent reads of two-megabyte instances may add to the server's resident memory.</summary>
    private const double ReadsMayAddMb = 300;

    [Fact]
    public async Task Four_concurrent_reads_of_instances_with_results_near_2_MB_stay_cheap()
    {
        const int Characters = 1_900_000;
        var big = await server.Api.Start("sized_result", new JsonObject { ["bytes"] = Characters });
        var ended = await server.WaitForEnd(big);
        Assert.Equal("completed", (string?)ended["status"]);
        Assert.Equal(Characters, ((string)ended["result"]!).Length);

        var before = server.Process.Rss.LastMb;
        var from = DateTime.UtcNow;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int round = 0; round < 10; round++)
        {
            var reads = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => server.Api.Instance(big)));
            Assert.All(reads, r => Assert.Equal(Characters, ((string)r!["result"]!).Length));
        }
        // Let the sampler see the end of the last round.
        await Task.Delay(300);
        var peak = server.Process.Rss.MaxMbSince(from);
        output.WriteLine($"40 reads of a {Characters:N0}-character result in {clock.Elapsed.TotalMilliseconds:N0} ms; RSS {before:N0} MB before, at most {peak:N0} MB during them");
        Assert.True(peak - before < ReadsMayAddMb, $"the reads took the server from {before:N0} MB to {peak:N0} MB");
        await server.AssertStillServing(output);
    }

    /// <summary>Refused as invalid (400) or as too large for the API to read (413), with a problem body either way.</summary>
    private static void AssertRefused(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge,
            $"a payload over 2 MB was answered {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
