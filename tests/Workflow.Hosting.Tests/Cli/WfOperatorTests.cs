using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Workflow.Tests.Shared;

using static Workflow.Hosting.Tests.Cli.WfProcess;

namespace Workflow.Hosting.Tests.Cli;

/// <summary>`wf history`, `wf rewind`, `wf fork` and `wf terminate` as real processes, on a SQLite file and on a PostgreSQL database.</summary>
public sealed class WfOperatorTests
{
    private const string Adder = """
        def main(input):
            total = await activity("echo", input["start"])
            for i in range(2):
                total += await signal("add")
            return total
        """;

    private const string Holder = """
        def main(input):
            try:
                await signal("never")
            finally:
                print("cleaning up")
                await activity("echo", "cleanup")
        """;

    [Fact]
    public void History_rewind_fork_and_terminate_on_sqlite()
    {
        var directory = Directory.CreateTempSubdirectory("wf-ops-");
        try
        {
            Operate(Path.Combine(directory.FullName, "wf.db"), directory.FullName);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void History_rewind_fork_and_terminate_on_postgres()
    {
        using var database = new PostgresScratchDatabase();
        var directory = Directory.CreateTempSubdirectory("wf-ops-");
        try
        {
            Operate(database.ConnectionString, directory.FullName);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static void Operate(string db, string directory)
    {
        var adder = Path.Combine(directory, "adder.wf");
        File.WriteAllText(adder, Adder);
        Ok(Run("start", adder, "--db", db, "--id", "a1", "--input", "{\"start\": 100}"));
        Ok(Run("worker", "--db", db, "--exit-when-idle"));
        foreach (var n in new[] { "1", "2" })
        {
            Ok(Run("signal", "a1", "add", "--db", db, "--payload", n));
            Ok(Run("worker", "--db", db, "--exit-when-idle"));
        }
        Assert.Equal(103, (int)Show(db, "a1")["result"]!);

        var turns = History(db, "a1");
        Assert.Equal(["start", "activity_completed", "signal", "signal"],
            turns.SelectMany(t => ((JArray?)t["consumed"] ?? []).Select(c => (string)c["kind"]!)));
        // The turn that consumed the activity's result waits for the first signal.
        int afterActivity = (int)turns.First(t => ((JArray?)t["consumed"])?.Any(c => (string?)c["kind"] == "activity_completed") == true)["turn"]!;
        Assert.Contains("waiting for signal 'add'", Ok(Run("history", "a1", "--db", db, "--turn", afterActivity.ToString())));

        // Rewound with its signals: the same result again; without them: it waits, and new signals decide.
        Assert.Equal($"rewound: a1 to turn {afterActivity}\n", Ok(Run("rewind", "a1", "--db", db, "--to-turn", afterActivity.ToString())));
        Ok(Run("worker", "--db", db, "--exit-when-idle"));
        Assert.Equal(103, (int)Show(db, "a1")["result"]!);
        Ok(Run("rewind", "a1", "--db", db, "--to-turn", afterActivity.ToString(), "--no-signals"));
        Ok(Run("worker", "--db", db, "--exit-when-idle"));
        Assert.Equal("waiting", (string?)Show(db, "a1")["status"]);
        Assert.Contains("rewind", History(db, "a1").Select(t => (string)t["kind"]!));

        // A fork from the same turn is an instance of its own.
        Assert.Equal("f1\n", Ok(Run("fork", "a1", "--db", db, "--at-turn", afterActivity.ToString(), "--id", "f1")));
        foreach (var n in new[] { "10", "20" })
            Ok(Run("signal", "f1", "add", "--db", db, "--payload", n));
        Ok(Run("worker", "--db", db, "--exit-when-idle"));
        Assert.Equal(130, (int)Show(db, "f1")["result"]!);
        Assert.Equal("waiting", (string?)Show(db, "a1")["status"]);
        Assert.Equal("fork", (string?)History(db, "f1")[0]["kind"]);

        // Terminate: no finally block runs.
        var holder = Path.Combine(directory, "holder.wf");
        File.WriteAllText(holder, Holder);
        Ok(Run("start", holder, "--db", db, "--id", "h1"));
        Ok(Run("worker", "--db", db, "--exit-when-idle"));
        Assert.Equal("terminated: h1\n", Ok(Run("terminate", "h1", "--db", db, "--reason", "test over")));
        Ok(Run("worker", "--db", db, "--exit-when-idle"));
        var ended = Show(db, "h1");
        Assert.Equal(("terminated", "TerminatedError: the workflow was terminated by an operator: test over"), ((string)ended["status"]!, (string)ended["error"]!));
        Assert.DoesNotContain("cleaning up", Ok(Run("history", "h1", "--db", db)));
        Assert.Equal("terminate", (string?)History(db, "h1")[^1]["kind"]);

        var (exit, _, stderr) = Run("terminate", "h1", "--db", db);
        Assert.Equal((1, "wf: instance 'h1' has finished; nothing was terminated\n"), (exit, stderr));
        (exit, _, stderr) = Run("rewind", "a1", "--db", db, "--to-turn", "99");
        Assert.Equal((1, "wf: the instance has no turn 99 in its journal\n"), (exit, stderr));
        (exit, _, stderr) = Run("fork", "a1", "--db", db, "--at-turn", afterActivity.ToString(), "--id", "f1");
        Assert.Equal((1, "wf: an instance 'f1' exists already; nothing was forked\n"), (exit, stderr));
    }

    private static List<JObject> History(string db, string id)
    {
        using var reader = new JsonTextReader(new StringReader(Ok(Run("history", id, "--db", db, "--json")))) { DateParseHandling = DateParseHandling.None };
        return ((JArray)JObject.Load(reader)["turns"]!).Cast<JObject>().ToList();
    }
}
