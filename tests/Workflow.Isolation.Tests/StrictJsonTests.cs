using System.Net;
using Workflow.Isolation.Tests.Harness;

namespace Workflow.Isolation.Tests;

/// <summary>
/// Request bodies are strict RFC 8259 JSON: anything a lenient reader would accept (JavaScript's
/// undefined, single quotes, trailing commas, comments, hexadecimal, NaN, …) is refused with 400
/// `invalid_json`, and nothing is stored.
/// </summary>
[Collection(HostileServerCollection.Name)]
public sealed class StrictJsonTests(HostileServer server, ITestOutputHelper output)
{
    [Theory]
    [InlineData("undefined", """{"workflow": "probe", "input": undefined, "id": "json-undefined"}""")]
    [InlineData("single quotes", """{'workflow': 'probe', 'input': 1, 'id': 'json-single-quotes'}""")]
    [InlineData("trailing comma", """{"workflow": "probe", "input": 1, "id": "json-trailing-comma",}""")]
    [InlineData("block comment", """{"workflow": "probe", /* why not */ "input": 1, "id": "json-block-comment"}""")]
    [InlineData("line comment", "{\"workflow\": \"probe\", \"input\": 1, \"id\": \"json-line-comment\"} // done")]
    [InlineData("hexadecimal", """{"workflow": "probe", "input": 0x10, "id": "json-hexadecimal"}""")]
    [InlineData("NaN", """{"workflow": "probe", "input": NaN, "id": "json-nan"}""")]
    [InlineData("Infinity", """{"workflow": "probe", "input": -Infinity, "id": "json-infinity"}""")]
    [InlineData("unquoted key", """{workflow: "probe", "input": 1, "id": "json-unquoted-key"}""")]
    [InlineData("leading zero", """{"workflow": "probe", "input": 010, "id": "json-leading-zero"}""")]
    [InlineData("plus sign", """{"workflow": "probe", "input": +1, "id": "json-plus-sign"}""")]
    [InlineData("raw tab in a string", "{\"workflow\": \"probe\", \"input\": \"a\tb\", \"id\": \"json-raw-tab\"}")]
    public async Task A_start_whose_body_is_not_strict_json_is_refused_and_nothing_is_stored(string kind, string body)
    {
        // The id the body asks for: "json-…", in whichever quotes the body uses.
        var id = body[body.LastIndexOf("json-", StringComparison.Ordinal)..].Split('"', '\'')[0];
        using var response = await server.Api.Post("/api/instances", body);
        var problem = await WfApi.Problem(response, HttpStatusCode.BadRequest, "invalid_json");
        output.WriteLine($"{kind}: {problem["detail"]}");
        Assert.Null(await server.Api.Instance(id));
        Assert.DoesNotContain(await server.Api.List("probe"), i => (string?)i["id"] == id);
        await server.AssertStillServing(output);
    }

    [Fact]
    public async Task A_signal_whose_payload_is_not_strict_json_is_refused_and_not_delivered()
    {
        var waiter = await server.Api.Start("waiter");
        using var refused = await server.Api.Post($"/api/instances/{waiter}/signals/go", "undefined");
        await WfApi.Problem(refused, HttpStatusCode.BadRequest, "invalid_json");
        await server.AssertWaiterReceivesOnly(waiter, """{"strict": true}""");
        await server.AssertStillServing(output);
    }
}
