using System.Net;
using Newtonsoft.Json.Linq;

namespace Workflow.Hosting.Tests.Api;

/// <summary>Ids and names the REST API takes are held to NameRules: 400 with the rule and the character's position, nothing stored.</summary>
public sealed class NameApiTests
{
    [Fact]
    public async Task Ids_and_names_that_break_a_rule_are_refused_naming_it_and_nothing_is_stored()
    {
        await using var host = await ApiHost.StartAsync();
        await host.Deploy("probe", "def main(input):\n    return await signal('go')\n");
        await host.WaitForStatus(await host.Start("probe", id: "waiting"), "waiting");
        var before = RestApiTests.Snapshot(host.DatabasePath);

        var cases = new (string Path, string Body, string Code, string Says)[]
        {
            ("/api/instances", """{"workflow":"probe","id":"order\u202E71"}""", "invalid_id", "instance id 'order\\u202e71': character 6 is U+202E, a format character (Unicode category Cf"),
            ("/api/instances", """{"workflow":"probe","id":"order\u2067x"}""", "invalid_id", "character 6 is U+2067, a format character"),
            ("/api/instances", """{"workflow":"probe","id":"pay\u200Bment"}""", "invalid_id", "character 4 is U+200B, a format character"),
            ("/api/instances", """{"workflow":"probe","id":"a\u0007b"}""", "invalid_id", "character 2 is U+0007, a control character (Unicode category Cc)"),
            ("/api/instances", """{"workflow":"probe","id":"cafe\u0301"}""", "invalid_id", "is not in Unicode normalization form C (NFC) from character 5 (U+0301)"),
            ("/api/instances", """{"workflow":"probe","id":"a/b"}""", "invalid_id", "character 2 is '/': an instance id cannot contain '/'"),
            ("/api/instances", "{\"workflow\":\"probe\",\"id\":\"" + new string('x', 201) + "\"}", "invalid_id", "has more than 200 characters"),
            ("/api/instances", """{"workflow":"pro\u202Ebe"}""", "invalid_name", "workflow name 'pro\\u202ebe': character 4 is U+202E"),
            ("/api/programs", """{"name":"pay\u200Bment","source":"x = 1"}""", "invalid_name", "workflow name 'pay\\u200bment': character 4 is U+200B"),
            ("/api/programs", """{"name":"no spaces","source":"x = 1"}""", "invalid_name", "character 3 is U+0020; a workflow name is made of ASCII letters, digits"),
            ("/api/programs", """{"name":"other","source":"x = 1","modules":{"help\u202Eers":"y = 2"}}""", "invalid_name", "module name 'help\\u202eers': character 5 is U+202E"),
            ("/api/instances/waiting/signals/go%E2%80%AE", "1", "invalid_name", "signal name 'go\\u202e': character 3 is U+202E, a format character"),
            ("/api/instances/waiting/signals/zero%E2%80%8Bwidth", "1", "invalid_name", "character 5 is U+200B"),
            ("/api/instances/waiting/signals/go%07", "1", "invalid_name", "character 3 is U+0007, a control character"),
            ("/api/instances/waiting/signals/cafe%CC%81", "1", "invalid_name", "is not in Unicode normalization form C (NFC) from character 5 (U+0301)"),
            ("/api/instances/waiting/signals/approve%2Freject", "1", "invalid_name", "character 8 is '/': a signal name cannot contain '/'"),
        };
        foreach (var (path, body, code, says) in cases)
        {
            var problem = await ApiHost.Problem(await host.Post(path, body), HttpStatusCode.BadRequest, code);
            Assert.Contains(says, (string?)problem["detail"]);
        }
        Assert.Equal(before, RestApiTests.Snapshot(host.DatabasePath));
        var programs = await ApiHost.Json(await host.Get("/api/programs"), HttpStatusCode.OK);
        Assert.Equal(["probe"], ((JArray)programs["programs"]!).Select(p => (string)p["name"]!));
    }

    [Fact]
    public async Task Two_ids_that_differ_only_in_lone_surrogates_are_both_refused_so_they_cannot_collide()
    {
        await using var host = await ApiHost.StartAsync();
        await host.Deploy("probe", "def main(input):\n    return await signal('go')\n");
        // Stored as UTF-8, either half would become U+FFFD, and the second start would return the first instance.
        foreach (var (id, unit) in new[] { ("order\\ud800", "D800"), ("order\\udbff", "DBFF"), ("order\\udc00", "DC00") })
        {
            var problem = await ApiHost.Problem(await host.Post("/api/instances", $$"""{"workflow":"probe","id":"{{id}}"}"""), HttpStatusCode.BadRequest, "invalid_json");
            Assert.Contains($"\\u{unit} is the", (string?)problem["detail"]);
            Assert.Contains("surrogate pair", (string?)problem["detail"]);
        }
        var list = await ApiHost.Json(await host.Get("/api/instances"), HttpStatusCode.OK);
        Assert.Empty((JArray)list["instances"]!);

        // A whole pair is text, and an id.
        var started = await ApiHost.Json(await host.Post("/api/instances", """{"workflow":"probe","id":"order\ud83d\ude00"}"""), HttpStatusCode.Created);
        Assert.Equal("order\U0001F600", (string?)started["id"]);
        Assert.Equal("order\U0001F600", (string?)(await host.Instance(Uri.EscapeDataString("order\U0001F600")))["id"]);
    }
}
