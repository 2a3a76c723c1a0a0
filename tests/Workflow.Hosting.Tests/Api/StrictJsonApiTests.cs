using System.Net;
using Newtonsoft.Json.Linq;

namespace Workflow.Hosting.Tests.Api;

/// <summary>One host for StrictJsonApiTests: a deployed workflow and one instance waiting for a signal.</summary>
public sealed class WaitingInstanceHost : IAsyncLifetime
{
    internal ApiHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await ApiHost.StartAsync();
        await Host.Deploy("probe", "def main(input):\n    return await signal('go')\n");
        await Host.WaitForStatus(await Host.Start("probe", id: "waiting"), "waiting");
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>
/// Every kind of text that is not RFC 8259 JSON, sent as a body to each route that takes one: 400
/// invalid_json naming the line and position (where § marks it in the cases), and nothing stored.
/// </summary>
public sealed class StrictJsonApiTests(WaitingInstanceHost fixture) : IClassFixture<WaitingInstanceHost>
{
    public static TheoryData<string, string, string> NotJson()
    {
        var data = new TheoryData<string, string, string>();
        void Start(string kind, string body) => data.Add(kind, "/api/instances", body);
        Start("undefined", """{"workflow":"probe","input":§undefined,"id":"k"}""");
        Start("a string in single quotes", """{"workflow":"probe","input":§'x',"id":"k"}""");
        Start("a name in single quotes", """{"workflow":"probe",§'input':1,"id":"k"}""");
        Start("a trailing comma in an array", """{"workflow":"probe","input":[1,2,§],"id":"k"}""");
        Start("a trailing comma in an object", """{"workflow":"probe","input":1,"id":"k",§}""");
        Start("a block comment", """{"workflow":"probe",§/* note */"input":1,"id":"k"}""");
        Start("a line comment", """{"workflow":"probe","input":1,"id":"k"} §// note""");
        Start("NaN", """{"workflow":"probe","input":§NaN,"id":"k"}""");
        Start("Infinity", """{"workflow":"probe","input":[§Infinity],"id":"k"}""");
        Start("-Infinity", """{"workflow":"probe","input":§-Infinity,"id":"k"}""");
        Start("a hexadecimal number", """{"workflow":"probe","input":§0x10,"id":"k"}""");
        Start("a leading zero", """{"workflow":"probe","input":§010,"id":"k"}""");
        Start("a number starting with '.'", """{"workflow":"probe","input":§.5,"id":"k"}""");
        Start("a number ending with '.'", """{"workflow":"probe","input":1.§,"id":"k"}""");
        Start("a plus sign", """{"workflow":"probe","input":§+1,"id":"k"}""");
        Start("a number beyond a double", """{"workflow":"probe","input":§1e400,"id":"k"}""");
        Start("an unquoted name", """{§workflow:"probe","input":1,"id":"k"}""");
        Start("a duplicate name", """{"workflow":"probe","input":1,§"input":2,"id":"k"}""");
        Start("a missing value", """{"workflow":"probe","input":[1,§,2],"id":"k"}""");
        Start("garbage after the value", """{"workflow":"probe","input":1,"id":"k"} §x""");
        Start("a second value", """{"workflow":"probe","input":1,"id":"k"}§{}""");
        Start("a raw tab in a string", "{\"workflow\":\"probe\",\"input\":\"a§\tb\",\"id\":\"k\"}");
        Start("a raw line break in a string", "{\"workflow\":\"probe\",\"input\":\"a§\nb\",\"id\":\"k\"}");
        Start("an escape JSON does not have", """{"workflow":"probe","input":"§\x41","id":"k"}""");
        Start("half a surrogate pair", """{"workflow":"probe","input":"§\ud800","id":"k"}""");
        Start("a constructor", """{"workflow":"probe","input":§new Date(1),"id":"k"}""");
        Start("True", """{"workflow":"probe","input":§True,"id":"k"}""");
        Start("a byte order mark", "§\uFEFF{\"workflow\":\"probe\",\"input\":1,\"id\":\"k\"}");
        Start("undefined on line 3", "{\n  \"workflow\": \"probe\", \"id\": \"k\",\n  \"input\": §undefined\n}");
        // The body's object is the first level: the 1,000th '[' opens the 1,001st.
        Start("nesting deeper than 1,000", "{\"workflow\":\"probe\",\"id\":\"k\",\"input\":" + new string('[', 999) + "§[" + new string(']', 1_000) + "}");
        data.Add("programs: a trailing comma", "/api/programs", """{"name":"other","source":"x = 1",§}""");
        data.Add("programs: a single-quoted source", "/api/programs", """{"name":"other","source":§'x = 1'}""");
        data.Add("signals: undefined", "/api/instances/waiting/signals/go", "§undefined");
        data.Add("signals: a trailing comma", "/api/instances/waiting/signals/go", """{"approved":true,§}""");
        data.Add("signals: NaN", "/api/instances/waiting/signals/go", "[1, §NaN]");
        data.Add("signals: a duplicate name", "/api/instances/waiting/signals/go", """{"a":1,§"a":2}""");
        // Whitespace outside JSON's four is not an empty body.
        data.Add("signals: a no-break space", "/api/instances/waiting/signals/go", "§\u00A0");
        return data;
    }

    [Theory]
    [MemberData(nameof(NotJson))]
    public async Task A_body_that_is_not_JSON_is_refused_with_its_line_and_position_and_nothing_is_stored(string kind, string path, string marked)
    {
        var host = fixture.Host;
        var before = RestApiTests.Snapshot(host.DatabasePath);
        var at = marked.IndexOf('§');
        var line = 1 + marked[..at].Count(c => c == '\n');
        var position = at - marked[..at].LastIndexOf('\n');

        var problem = await ApiHost.Problem(await host.Post(path, marked.Remove(at, 1)), HttpStatusCode.BadRequest, "invalid_json");
        var detail = (string?)problem["detail"];
        var expected = $"the request body is not JSON: line {line}, position {position}: ";
        Assert.True(detail?.StartsWith(expected) == true, $"{kind}: expected {expected}…, got {detail}");

        Assert.Equal(before, RestApiTests.Snapshot(host.DatabasePath));
        // Also as a client sees it: no instance k, no program "other", the waiting instance still waits.
        await ApiHost.Problem(await host.Get("/api/instances/k"), HttpStatusCode.NotFound, "unknown_instance");
        var programs = await ApiHost.Json(await host.Get("/api/programs"), HttpStatusCode.OK);
        Assert.Equal(["probe"], ((JArray)programs["programs"]!).Select(p => (string)p["name"]!));
        Assert.Equal("waiting", (string?)(await host.Instance("waiting"))["status"]);
    }
}
