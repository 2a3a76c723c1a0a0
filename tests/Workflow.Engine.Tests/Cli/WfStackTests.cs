using Newtonsoft.Json.Linq;

namespace Workflow.Tests.Cli;

/// <summary>
/// `wf run --db` keeps an instance that waits for a signal, with its pickle; `wf stack` reads the
/// frame chain from that pickle. Liveness shows there: a variable the workflow no longer needs is
/// not in the pickle at all.
/// </summary>
public class WfStackTests
{
    private const string Approval = """
        def summarise(order):
            # A large report, read only before the wait: dead at the await.
            report = [line * 3 for line in range(20000)]
            checksum = sum(report) % 1000
            reviewer = order["reviewer"]
            decision = await signal("approve")
            return {"order": order["id"], "decision": decision, "checksum": checksum, "reviewer": reviewer}

        def main(input):
            print("asking", input["reviewer"])
            return summarise(input)
        """;

    [Fact]
    public void Stack_json_shows_live_variables_and_leaves_out_a_large_dead_one()
    {
        var db = Path.Combine(Directory.CreateTempSubdirectory().FullName, "wf.db");
        var program = WfCommandTests.Program(Approval);
        var (exit, stdout, stderr) = WfCommandTests.Wf_("run", program, "--input", "{\"id\": 17, \"reviewer\": \"ada\"}", "--db", db);
        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("asking ada", lines[0]);
        Assert.StartsWith("waiting: ", lines[^1]);
        var id = lines[^1]["waiting: ".Length..];

        (exit, stdout, stderr) = WfCommandTests.Wf_("stack", id, "--db", db, "--json");
        Assert.True(exit == 0, stderr);
        var stack = JObject.Parse(stdout);
        Assert.Equal(id, (string?)stack["id"]);
        Assert.Equal("waiting", (string?)stack["status"]);
        var tasklet = Assert.Single((JArray)stack["tasklets"]!);
        Assert.Equal("signal 'approve'", (string?)tasklet["waitingFor"]);
        var frames = (JArray)tasklet["frames"]!;
        Assert.Equal(new[] { "main", "summarise" }, frames.Select(f => (string)f["function"]!));
        var summarise = (JObject)frames[1]["locals"]!;
        Assert.Equal(6, (int)frames[1]["line"]!);
        // Live after the await: order, checksum, reviewer. Dead: report (20,000 ints).
        Assert.Equal(17, (int)summarise["order"]!["id"]!);
        Assert.Equal(checked((int)(Enumerable.Range(0, 20000).Sum(i => (long)i * 3) % 1000)), (int)summarise["checksum"]!);
        Assert.Equal("ada", (string?)summarise["reviewer"]);
        Assert.Null(summarise["report"]);
        Assert.Null(summarise["decision"]);
        Assert.Empty((JObject)frames[0]["locals"]!);

        // The text form names the same frames and values.
        (exit, stdout, _) = WfCommandTests.Wf_("stack", id, "--db", db);
        Assert.Equal(0, exit);
        Assert.Contains("waiting for signal 'approve'", stdout);
        Assert.Contains("line 6, in summarise", stdout);
        Assert.Contains("reviewer = \"ada\"", stdout);
        Assert.DoesNotContain("report", stdout);
    }

    [Fact]
    public void The_pickle_in_the_database_holds_no_trace_of_the_dead_report()
    {
        var db = Path.Combine(Directory.CreateTempSubdirectory().FullName, "wf.db");
        var (exit, stdout, stderr) = WfCommandTests.Wf_("run", WfCommandTests.Program(Approval), "--input", "{\"id\": 3, \"reviewer\": \"bo\"}", "--db", db);
        Assert.True(exit == 0, stderr);
        var id = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]["waiting: ".Length..];
        using var store = Workflow.Migrations.Sqlite.SqliteWorkflowDatabase.Open(db);
        var instance = store.GetInstance(id)!;
        Assert.Equal(Workflow.Durable.InstanceStatus.Waiting, instance.Status);
        // 20,000 numbers would take over 100 KB; the live state is a few hundred bytes.
        Assert.InRange(instance.Pickle!.Length, 100, 4000);
        Assert.DoesNotContain("59997", System.Text.Encoding.UTF8.GetString(instance.Pickle));
    }

    [Fact]
    public void Stack_of_an_unknown_instance_fails_with_a_clear_message()
    {
        var db = Path.Combine(Directory.CreateTempSubdirectory().FullName, "wf.db");
        WfCommandTests.Wf_("run", WfCommandTests.Program("def main(input):\n    return 1\n"), "--db", db);
        var (exit, _, stderr) = WfCommandTests.Wf_("stack", "nope", "--db", db, "--json");
        Assert.Equal(1, exit);
        Assert.Contains("no instance 'nope'", stderr);
    }
}
