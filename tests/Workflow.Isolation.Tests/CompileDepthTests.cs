using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Workflow.Isolation.Tests.Harness;

namespace Workflow.Isolation.Tests;

/// <summary>
/// Programs nested far too deeply for any walk that recurses on the native stack: the deploy is
/// refused with `file.wf:L:C: expression nested too deeply`, and the server stays up (a stack
/// overflow cannot be caught in .NET: it ends the process).
/// </summary>
[Collection(HostileServerCollection.Name)]
public sealed partial class CompileDepthTests(HostileServer server, ITestOutputHelper output)
{
    /// <summary>The expression `main` returns, about 12 KB of it, by the kind of chain.</summary>
    private static string Chain(string kind) => kind switch
    {
        "unary minus" => new string('-', 12_000) + "1",
        "not" => string.Concat(Enumerable.Repeat("not ", 3_000)) + "input",
        "unary plus" => new string('+', 12_000) + "1",
        "attribute" => "input" + string.Concat(Enumerable.Repeat(".a", 6_000)),
        "subscript" => "input" + string.Concat(Enumerable.Repeat("[0]", 4_000)),
        "call" => "input" + string.Concat(Enumerable.Repeat("()", 6_000)),
        "parentheses" => new string('(', 6_000) + "1" + new string(')', 6_000),
        "list" => new string('[', 6_000) + new string(']', 6_000),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [InlineData("unary minus")]
    [InlineData("not")]
    [InlineData("unary plus")]
    [InlineData("attribute")]
    [InlineData("subscript")]
    [InlineData("call")]
    [InlineData("parentheses")]
    [InlineData("list")]
    public async Task A_chain_of_12_KB_is_refused_with_nested_too_deeply_and_the_server_stays_up(string kind)
    {
        var name = "deep_" + kind.Replace(' ', '_');
        var source = "def main(input):\n    return " + Chain(kind) + "\n";
        using var response = await server.Api.Post("/api/programs", new JsonObject { ["name"] = name, ["source"] = source }.ToJsonString());
        server.AssertAlive();
        var problem = await WfApi.Problem(response, HttpStatusCode.BadRequest, "compile_error");
        var detail = (string?)problem["detail"] ?? "";
        output.WriteLine(WfApi.Shorten(detail, 400));
        Assert.Matches(NestedTooDeeply(), detail);
        // Nothing was deployed.
        var programs = await WfApi.Json(await server.Api.Get("/api/programs"), HttpStatusCode.OK);
        Assert.DoesNotContain(programs["programs"]!.AsArray(), p => (string?)p!["name"] == name);
        await server.AssertStillServing(output);
    }

    [Fact]
    public async Task A_left_nested_chain_of_4_000_additions_compiles_or_is_refused_and_the_server_stays_up()
    {
        // 1 + 1 + … parses as a left-leaning tree 4,000 deep: compiling it is fine, refusing it as too deep is too, dying is not.
        var source = "def main(input):\n    return " + string.Concat(Enumerable.Repeat("1 + ", 4_000)) + "1\n";
        using var response = await server.Api.Post("/api/programs", new JsonObject { ["name"] = "deep_additions", ["source"] = source }.ToJsonString());
        server.AssertAlive();
        if (response.StatusCode == HttpStatusCode.Created)
        {
            var ended = await server.WaitForEnd(await server.Api.Start("deep_additions"));
            Assert.Equal("completed", (string?)ended["status"]);
            Assert.Equal(4_001, (int)ended["result"]!);
        }
        else
        {
            var problem = await WfApi.Problem(response, HttpStatusCode.BadRequest, "compile_error");
            Assert.Matches(NestedTooDeeply(), (string?)problem["detail"] ?? "");
        }
        output.WriteLine($"deploy answered {(int)response.StatusCode}");
        await server.AssertStillServing(output);
    }

    // Brackets keep CPython's own words for its limit on them ("too many nested parentheses").
    [GeneratedRegex(@"\.wf:\d+:\d+: [^;]*(nested too deeply|too many nested parentheses)")]
    private static partial Regex NestedTooDeeply();
}
