using System.Net;
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
        await server.AssertWaiterReceivesOnly(waiter, "2");
        await server.AssertStillServing(output);
    }

    [Theory]
    [InlineData("a lone surrogate", "\\ud800")]
    [InlineData("a right-to-left override", "\\u202e")]
    [InlineData("a zero-width space", "\\u200b")]
    [InlineData("a byte order mark", "\\ufeff")]
    public async Task An_instance_id_with_an_invisible_or_broken_character_is_refused_and_nothing_is_stored(string kind, string escape)
    {
        // The character is written as a JSON escape, so the body itself is valid JSON and valid UTF-8;
        // the ASCII before it finds the id in the list whatever the server would have made of the rest.
        var marker = "odd-id-" + kind.Replace(' ', '-');
        using var response = await server.Api.Post("/api/instances", $$"""{"workflow": "waiter", "input": null, "id": "{{marker}}{{escape}}-1"}""");
        var answer = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"an id with {kind} was answered {(int)response.StatusCode}: {answer}");
        output.WriteLine($"{kind}: {answer}");
        using var list = await server.Api.Get("/api/instances?workflow=waiter&limit=1000");
        Assert.DoesNotContain(marker, await list.Content.ReadAsStringAsync());
        await server.AssertStillServing(output);
    }
}
