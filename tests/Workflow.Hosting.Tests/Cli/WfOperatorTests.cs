using System.Diagnostics;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Workflow.Tests.Shared;

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
        Ok(Wf("start", adder, "--db", db, "--id", "a1", "--input", "{\"start\": 100}"));
        Ok(Wf("worker", "--db", db, "--exit-when-idle"));
        foreach (var n in new[] { "1", "2" })
        {
            Ok(Wf("signal", "a1", "add", "--db", db, "--payload", n));
            Ok(Wf("worker", "--db", db, "--exit-when-idle"));
        }
        Assert.Equal(103, (int)Show(db, "a1")["result"]!);

        var turns = History(db, "a1");
        Assert.Equal(["start", "activity_completed", "signal", "signal"],
            turns.SelectMany(t => ((JArray?)t["consumed"] ?? []).Select(c => (string)c["kind"]!)));
        // The turn that consumed the activity's result waits for the first signal.
        int afterActivity = (int)turns.First(t => ((JArray?)t["consumed"])?.Any(c => (string?)c["kind"] == "activity_completed") == true)["turn"]!;
        Assert.Contains("waiting for signal 'add'", Ok(Wf("history", "a1", "--db", db, "--turn", afterActivity.ToString())));

        // Rewound with its signals: the same result again; without them: it waits, and new signals decide.
        Assert.Equal($"rewound: a1 to turn {afterActivity}\n", Ok(Wf("rewind", "a1", "--db", db, "--to-turn", afterActivity.ToString())));
        Ok(Wf("worker", "--db", db, "--exit-when-idle"));
        Assert.Equal(103, (int)Show(db, "a1")["result"]!);
        Ok(Wf("rewind", "a1", "--db", db, "--to-turn", afterActivity.ToString(), "--no-signals"));
        Ok(Wf("worker", "--db", db, "--exit-when-idle"));
        Assert.Equal("waiting", (string?)Show(db, "a1")["status"]);
        Assert.Contains("rewind", History(db, "a1").Select(t => (string)t["kind"]!));

        // A fork from the same turn is an instance of its own.
        Assert.Equal("f1\n", Ok(Wf("fork", "a1", "--db", db, "--at-turn", afterActivity.ToString(), "--id", "f1")));
        foreach (var n in new[] { "10", "20" })
            Ok(Wf("signal", "f1", "add", "--db", db, "--payload", n));
        Ok(Wf("worker", "--db", db, "--exit-when-idle"));
        Assert.Equal(130, (int)Show(db, "f1")["result"]!);
        Assert.Equal("waiting", (string?)Show(db, "a1")["status"]);
        Assert.Equal("fork", (string?)History(db, "f1")[0]["kind"]);

        // Terminate: no finally block runs.
        var holder = Path.Combine(directory, "holder.wf");
        File.WriteAllText(holder, Holder);
        Ok(Wf("start", holder, "--db", db, "--id", "h1"));
        Ok(Wf("worker", "--db", db, "--exit-when-idle"));
        Assert.Equal("terminated: h1\n", Ok(Wf("terminate", "h1", "--db", db, "--reason", "test over")));
        Ok(Wf("worker", "--db", db, "--exit-when-idle"));
        var ended = Show(db, "h1");
        Assert.Equal(("terminated", "TerminatedError: the workflow was terminated by an operator: test over"), ((string)ended["status"]!, (string)ended["error"]!));
        Assert.DoesNotContain("cleaning up", Ok(Wf("history", "h1", "--db", db)));
        Assert.Equal("terminate", (string?)History(db, "h1")[^1]["kind"]);

        var (exit, _, stderr) = Wf("terminate", "h1", "--db", db);
        Assert.Equal((1, "wf: instance 'h1' has finished; nothing was terminated\n"), (exit, stderr));
        (exit, _, stderr) = Wf("rewind", "a1", "--db", db, "--to-turn", "99");
        Assert.Equal((1, "wf: the instance has no turn 99 in its journal\n"), (exit, stderr));
        (exit, _, stderr) = Wf("fork", "a1", "--db", db, "--at-turn", afterActivity.ToString(), "--id", "f1");
        Assert.Equal((1, "wf: an instance 'f1' exists already; nothing was forked\n"), (exit, stderr));
    }

    private static List<JObject> History(string db, string id)
    {
        using var reader = new JsonTextReader(new StringReader(Ok(Wf("history", id, "--db", db, "--json")))) { DateParseHandling = DateParseHandling.None };
        return ((JArray)JObject.Load(reader)["turns"]!).Cast<JObject>().ToList();
    }

    private static JObject Show(string db, string id) => JObject.Parse(Ok(Wf("show", id, "--db", db)));

    private static string Ok((int Exit, string Stdout, string Stderr) run)
    {
        Assert.True(run.Exit == 0, $"wf exited {run.Exit}: {run.Stderr}");
        return run.Stdout;
    }

    private static (int Exit, string Stdout, string Stderr) Wf(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "wf.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), $"wf {string.Join(' ', args)} did not finish");
        return (process.ExitCode, stdout.Result, stderr);
    }
}
