using System.Net;
using System.Text.Json.Nodes;
using Workflow.Isolation.Tests.Harness;

namespace Workflow.Isolation.Tests;

/// <summary>
/// Names and ids that would read differently from what they are (a slash that splits a path, a lone
/// surrogate no UTF-8 can carry, a bidi override or a zero-width character that hides in a log or a
/// dashboard) are refused with 400, and nothing is stored.
/// </summary>
[Collection(HostileServerCollection.Name)]
public sealed class NameRulesTests(HostileServer server, ITestOutputHelper output)
{
    [Fact]
    public async Task A_signal_name_with_a_slash_is_refused()
    {
        var waiter = await server.Api.Start("waiter");
        using var refused = await server.Api.Post($"/api/instances/{waiter}/signals/{Uri.EscapeDataString("go/../go")}", "1");
        Assert.True(refused.StatusCode == HttpStatusCode.BadRequest,
            $"a signal named go/../go was answered {(int)refused.StatusCode}: {await refused.Content.ReadAsStringAsync()}");
        using var sent = await server.Api.Post($"/api/instances/{waiter}/signals/go", "2");
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var ended = await server.WaitForEnd(waiter);
        Assert.Equal("completed", (string?)ended["status"]);
        Assert.Equal(2, (int)ended["result"]!);
        await server.AssertStillServing(output);
    }

    [Theory]
    [InlineData("a lone surrogate", "order-\\ud800-1")]
    [InlineData("a right-to-left override", "order-\\u202e1-redro")]
    [InlineData("a zero-width space", "order\\u200b-1")]
    [InlineData("a byte order mark", "\\ufefforder-1")]
    public async Task An_instance_id_with_an_invisible_or_broken_character_is_refused_and_nothing_is_stored(string kind, string escapedId)
    {
        // The id is written with a JSON escape, so the body itself is valid JSON and valid UTF-8.
        using var response = await server.Api.Post("/api/instances", $$"""{"workflow": "waiter", "input": null, "id": "{{escapedId}}"}""");
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest,
            $"an id with {kind} was answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        output.WriteLine($"{kind}: {await response.Content.ReadAsStringAsync()}");
        var id = JsonNode.Parse($"\"{escapedId}\"")!.GetValue<string>();
        Assert.DoesNotContain(await server.Api.List("waiter"), i => (string?)i["id"] == id);
        await server.AssertStillServing(output);
    }
}
