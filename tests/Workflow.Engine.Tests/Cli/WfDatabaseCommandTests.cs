using Newtonsoft.Json.Linq;

namespace Workflow.Tests.Cli;

/// <summary>
/// The `wf` commands that work on a database (DESIGN.md): start, worker, show, signal, cancel, ls,
/// and run --db, as real processes on a real SQLite file. Bad input is refused and changes nothing.
/// </summary>
public class WfDatabaseCommandTests
{
    private static (int Exit, string Stdout, string Stderr) Wf(params string[] args) => WfCommandTests.Wf_(args);

    private static string NewDatabase() => Path.Combine(Directory.CreateTempSubdirectory().FullName, "wf.db");

    private const string Approval = """
        def main(input):
            amount = await activity('echo', input['amount'])
            try:
                decision = await first(signal('decision'), sleep(days(7)))
            finally:
                print('closing', input['id'])
            return {'id': input['id'], 'amount': amount, 'decision': decision[1]}
        """;

    [Fact]
    public void Start_then_a_worker_then_a_signal_completes_the_instance_and_show_prints_it()
    {
        var db = NewDatabase();
        var program = WfCommandTests.Program(Approval);
        var (exit, stdout, stderr) = Wf("start", program, "--db", db, "--input", "{\"id\": \"A-1\", \"amount\": 250}", "--id", "order-1");
        Assert.True(exit == 0, stderr);
        Assert.Equal("order-1\n", stdout);

        // Started, not run: no worker has taken it yet. The signal queues until the workflow asks for it.
        (exit, stdout, stderr) = Wf("show", "order-1", "--db", db);
        Assert.Equal("running", (string?)JObject.Parse(stdout)["status"]);

        (exit, _, stderr) = Wf("signal", "order-1", "decision", "--db", db, "--payload", "\"approved\"");
        Assert.True(exit == 0, stderr);
        (exit, _, stderr) = Wf("worker", "--db", db, "--exit-when-idle");
        Assert.True(exit == 0, stderr);
        Assert.Contains("closing A-1", stderr); // printed output of instances goes to the worker's log

        (exit, stdout, _) = Wf("show", "order-1", "--db", db);
        var shown = JObject.Parse(stdout);
        Assert.Equal("completed", (string?)shown["status"]);
        Assert.Equal(new JObject { ["id"] = "A-1", ["amount"] = 250 }, shown["input"]);
        Assert.Equal(new JObject { ["id"] = "A-1", ["amount"] = 250, ["decision"] = "approved" }, shown["result"]);
        Assert.Equal(JTokenType.Null, shown["error"]!.Type);

        (exit, stdout, _) = Wf("ls", "--db", db, "--status", "completed");
        Assert.StartsWith("order-1\tprog\tcompleted\t", stdout);
        (_, stdout, _) = Wf("ls", "--db", db, "--status", "waiting");
        Assert.Equal("", stdout);
    }

    [Fact]
    public void Start_with_an_existing_id_returns_that_instance_and_starts_nothing()
    {
        var db = NewDatabase();
        var program = WfCommandTests.Program("def main(input):\n    return input\n");
        Assert.Equal(0, Wf("start", program, "--db", db, "--input", "1", "--id", "same").Exit);
        var (exit, stdout, stderr) = Wf("start", program, "--db", db, "--input", "2", "--id", "same");
        Assert.Equal((0, "same\n"), (exit, stdout));
        Assert.Contains("exists already", stderr);
        Assert.Single(Wf("ls", "--db", db).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("1", JObject.Parse(Wf("show", "same", "--db", db).Stdout)["input"]!.ToString());
    }

    [Fact]
    public void A_program_that_does_not_compile_is_refused_at_deploy_with_diagnostics_and_nothing_is_stored()
    {
        var db = NewDatabase();
        var program = WfCommandTests.Program("def main(input):\n    return (1 +\n");
        var (exit, stdout, stderr) = Wf("start", program, "--db", db);
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Matches(@"prog\.wf:\d+:\d+: ", stderr);
        Assert.Contains("was not deployed", stderr);
        Assert.Equal((0, ""), (Wf("ls", "--db", db).Exit, Wf("ls", "--db", db).Stdout));
    }

    [Fact]
    public void Input_or_a_signal_payload_that_is_not_JSON_is_refused_with_exit_2_and_changes_nothing()
    {
        var db = NewDatabase();
        var program = WfCommandTests.Program("def main(input):\n    return await signal('go')\n");
        var (exit, stdout, stderr) = Wf("start", program, "--db", db, "--input", "{\"a\": }");
        Assert.Equal((2, ""), (exit, stdout));
        Assert.Contains("the input is not JSON", stderr);
        Assert.Equal("", Wf("ls", "--db", db).Stdout);

        Assert.Equal(0, Wf("start", program, "--db", db, "--id", "w").Exit);
        (exit, _, stderr) = Wf("signal", "w", "go", "--db", db, "--payload", "[1, 2");
        Assert.Equal(2, exit);
        Assert.Contains("the signal payload is not JSON", stderr);
        (exit, _, stderr) = Wf("signal", "nobody", "go", "--db", db, "--payload", "1");
        Assert.Equal(1, exit);
        Assert.Contains("no instance 'nobody'", stderr);

        Assert.Equal(0, Wf("worker", "--db", db, "--exit-when-idle").Exit);
        Assert.Equal("waiting", (string?)JObject.Parse(Wf("show", "w", "--db", db).Stdout)["status"]);
    }

    [Fact]
    public void Run_with_db_prints_waiting_and_a_cancel_then_a_worker_runs_its_finally_block()
    {
        var db = NewDatabase();
        // `wf run` returns once the instance waits for nothing but signals.
        var waiter = WfCommandTests.Program("def main(input):\n    print('asking')\n    try:\n        return await signal('ok')\n    finally:\n        print('cleanup')\n");
        var (exit, stdout, stderr) = Wf("run", waiter, "--db", db);
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("asking\nwaiting: ", stdout);
        var id = stdout.Trim().Split('\n')[^1]["waiting: ".Length..];

        Assert.Equal(0, Wf("cancel", id, "--db", db).Exit);
        (exit, _, stderr) = Wf("worker", "--db", db, "--exit-when-idle");
        Assert.True(exit == 0, stderr);
        Assert.Contains("cleanup", stderr);
        var shown = JObject.Parse(Wf("show", id, "--db", db).Stdout);
        Assert.Equal("cancelled", (string?)shown["status"]);
        Assert.Contains("CancelledError", (string?)shown["error"]);
        (exit, _, stderr) = Wf("cancel", id, "--db", db);
        Assert.Equal(1, exit);
        Assert.Contains("has finished", stderr);
    }

    [Fact]
    public void Run_without_db_runs_activities_and_timers_on_a_temporary_database()
    {
        var program = WfCommandTests.Program("def main(input):\n    xs = await gather(activity('echo', 1), activity('echo', 2))\n    await sleep(0.2)\n    return sum(xs)\n");
        var (exit, stdout, stderr) = Wf("run", program);
        Assert.True(exit == 0, stderr);
        Assert.Equal("3\n", stdout);
    }

    [Fact]
    public void A_deployed_program_takes_its_imported_modules_along_so_the_worker_needs_no_files()
    {
        var db = NewDatabase();
        var dir = Directory.CreateTempSubdirectory();
        var main = Path.Combine(dir.FullName, "shop.wf");
        File.WriteAllText(main, "from pricing import total\ndef main(input):\n    return total(input)\n");
        File.WriteAllText(Path.Combine(dir.FullName, "pricing.wf"), "def total(items):\n    return sum(i['price'] for i in items)\n");
        var (exit, _, stderr) = Wf("start", main, "--db", db, "--id", "s1", "--input", "[{\"price\": 3}, {\"price\": 4}]");
        Assert.True(exit == 0, stderr);
        dir.Delete(recursive: true);

        (exit, _, stderr) = Wf("worker", "--db", db, "--exit-when-idle");
        Assert.True(exit == 0, stderr);
        var shown = JObject.Parse(Wf("show", "s1", "--db", db).Stdout);
        Assert.True((string?)shown["status"] == "completed", shown.ToString());
        Assert.Equal(7, (int)shown["result"]!);
    }

    [Fact]
    public void An_id_that_could_name_a_child_instance_is_refused()
    {
        var db = NewDatabase();
        var program = WfCommandTests.Program("def main(input):\n    return 1\n");
        var (exit, stdout, stderr) = Wf("start", program, "--db", db, "--id", "order.1");
        Assert.Equal((2, ""), (exit, stdout));
        Assert.Contains("cannot contain '.'", stderr);
        Assert.Equal("", Wf("ls", "--db", db).Stdout);
    }

    [Theory]
    [InlineData("ls")]
    [InlineData("show", "i1")]
    [InlineData("signal", "i1", "go")]
    [InlineData("cancel", "i1")]
    [InlineData("stack", "i1")]
    [InlineData("start", "PROGRAM")]
    [InlineData("run", "PROGRAM")]
    [InlineData("worker", "--exit-when-idle")]
    [InlineData("serve", "--urls", "http://127.0.0.1:0")]
    public void A_db_that_looks_like_a_connection_string_without_a_host_is_refused_with_exit_2_and_no_file_is_made(params string[] command)
    {
        var directory = Directory.CreateTempSubdirectory("wf-db-").FullName;
        var program = WfCommandTests.Program("def main(input):\n    return 1\n");
        var args = command.Select(a => a == "PROGRAM" ? program : a).Concat(["--db", "Server=db1;Database=wf;Password=hunter2"]).ToArray();
        var (exit, stdout, stderr) = WfCommandTests.WfIn(directory, args);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.StartsWith("wf: --db: the database is given as a connection string without Host=", stderr);
        Assert.Contains("workflow.db", stderr);
        Assert.Contains("Host=db1;Database=wf;Username=app", stderr);
        Assert.Contains("postgres://", stderr);
        Assert.DoesNotContain("hunter2", stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory));
        Directory.Delete(directory);
    }

    [Fact]
    public void A_worker_with_a_lease_out_of_range_is_refused_with_exit_2()
    {
        var (exit, _, stderr) = Wf("worker", "--db", NewDatabase(), "--lease", "-5");
        Assert.Equal(2, exit);
        Assert.Contains("--lease must be between 1 and 86,400 seconds", stderr);
    }
}
