using System.Net;
using System.Text.Json.Nodes;
using Workflow.Isolation.Tests.Harness;

namespace Workflow.Isolation.Tests;

/// <summary>
/// Depth made at run time: recursion without end (in script code, and through the dunder methods
/// native code calls back) runs on heap frames and ends in RecursionError; a value nested 100,000
/// deep is pickled, read back and walked without recursing on the native stack.
/// </summary>
[Collection(HostileServerCollection.Name)]
public sealed class RecursionDepthTests(HostileServer server, ITestOutputHelper output)
{
    /// <summary>The payload limit (MaxPayloadBytes): 2 MB.</summary>
    private const int MaxPayloadBytes = 2 * 1024 * 1024;

    [Theory]
    [InlineData("call")] // down(n) calls down(n + 1)
    [InlineData("eq")]   // __eq__ compares lists that hold the objects
    [InlineData("repr")] // __repr__ asks for the repr of a list that holds the object
    [InlineData("lt")]   // __lt__ sorts a list of the objects
    public async Task Recursion_without_end_fails_the_instance_with_RecursionError_and_a_traceback_within_the_payload_limit(string kind)
    {
        var ended = await server.WaitForEnd(await server.Api.Start("recursion", kind));
        var error = HostileServer.AssertFailedNaming(ended, "RecursionError");
        output.WriteLine($"{error.TrimEnd().Split('\n')[^1]} ({error.Length:N0} characters of traceback)");
        // Every GET of the instance carries its error: a traceback of every one of thousands of frames would be a payload with no limit.
        Assert.True(error.Length <= MaxPayloadBytes, $"the traceback is {error.Length:N0} characters, over the 2 MB payload limit");
        await server.AssertStillServing(output);
    }

    [Fact]
    public async Task A_list_nested_100_000_deep_is_kept_across_a_timer_and_its_frame_chain_can_be_read()
    {
        var id = await server.Api.Start("deep_value", new JsonObject { ["depth"] = 100_000, ["sleep"] = 3, ["return"] = false });
        // While it sleeps, its pickle holds the list: the stack reader must cope with it too.
        var deadline = server.Deadline(HostileServer.Patience);
        JsonObject instance;
        while ((string?)(instance = (await server.Api.Instance(id))!)["status"] == "running" && DateTime.UtcNow < deadline) await Task.Delay(100);
        if ((string?)instance["status"] == "waiting")
        {
            using var stack = await server.Api.Get($"/api/instances/{id}/stack");
            server.AssertAlive();
            output.WriteLine($"the stack of the sleeping instance: {(int)stack.StatusCode}, {WfApi.Shorten(await stack.Content.ReadAsStringAsync(), 300)}");
            Assert.Equal(HttpStatusCode.OK, stack.StatusCode);
        }
        var ended = await server.WaitForEnd(id);
        Assert.True((string?)ended["status"] == "completed", $"ended {ended["status"]}: {WfApi.Shorten((string?)ended["error"] ?? "")}");
        Assert.Equal(100_000, (int)ended["result"]!);
        await server.AssertStillServing(output);
    }

    [Fact]
    public async Task A_result_nested_100_000_deep_fails_the_instance_naming_its_depth()
    {
        var ended = await server.WaitForEnd(await server.Api.Start("deep_value", new JsonObject { ["depth"] = 100_000, ["sleep"] = 0.01, ["return"] = true }));
        var error = HostileServer.AssertFailedNaming(ended, "deep");
        output.WriteLine(error.TrimEnd().Split('\n')[^1]);
        await server.AssertStillServing(output);
    }
}
