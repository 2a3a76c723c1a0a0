using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Workflow.Tests.Cli;

/// <summary>`wf history`: the journal of an instance `wf run --db` ran, as text, as JSON, and one turn with its stack.</summary>
public class WfHistoryTests
{
    private const string Program = """
        def main(input):
            print("asking", input["reviewer"])
            await sleep(0)
            decision = await signal("approve")
            return decision
        """;

    [Fact]
    public void History_lists_each_turn_and_shows_a_past_turn_with_its_stack()
    {
        var db = Path.Combine(Directory.CreateTempSubdirectory().FullName, "wf.db");
        var (exit, stdout, stderr) = WfCommandTests.Wf_("run", WfCommandTests.Program(Program), "--input", "{\"reviewer\": \"ada\"}", "--db", db);
        Assert.True(exit == 0, stderr);
        var id = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]["waiting: ".Length..];

        (exit, stdout, stderr) = WfCommandTests.Wf_("history", id, "--db", db, "--json");
        Assert.True(exit == 0, stderr);
        using var reader = new JsonTextReader(new StringReader(stdout)) { DateParseHandling = DateParseHandling.None };
        var turns = (JArray)JObject.Load(reader)["turns"]!;
        Assert.Equal([1, 2], turns.Select(t => (int)t["turn"]!));
        Assert.Equal("start", (string?)turns[0]["consumed"]![0]!["kind"]);
        Assert.Equal("asking ada\n", (string?)turns[0]["output"]);
        Assert.Equal("timer", (string?)turns[0]["started"]![0]!["kind"]);
        Assert.Equal("timer_fired", (string?)turns[1]["consumed"]![0]!["kind"]);
        Assert.Equal("approve", (string?)turns[1]["waitingFor"]![0]!["name"]);

        (exit, stdout, stderr) = WfCommandTests.Wf_("history", id, "--db", db);
        Assert.True(exit == 0, stderr);
        Assert.Contains("turn 1 ", stdout);
        Assert.Contains("consumed: start input={\"reviewer\":\"ada\"}", stdout);
        Assert.Contains("waiting for: signal approve", stdout);
        Assert.Contains("    asking ada", stdout);

        // Turn 1 waited on the timer: its stack says so, though the instance now waits for the signal.
        (exit, stdout, stderr) = WfCommandTests.Wf_("history", id, "--db", db, "--turn", "1");
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("turn 1 ", stdout);
        Assert.Contains("waiting for timer", stdout);
        Assert.DoesNotContain("signal 'approve'", stdout);

        (exit, _, stderr) = WfCommandTests.Wf_("history", id, "--db", db, "--turn", "9");
        Assert.Equal(1, exit);
        Assert.Contains("has no turn 9", stderr);
        (exit, _, stderr) = WfCommandTests.Wf_("history", "nobody", "--db", db);
        Assert.Equal(1, exit);
        Assert.Contains("no instance 'nobody'", stderr);
    }
}
