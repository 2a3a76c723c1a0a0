using Microsoft.Data.Sqlite;

namespace Workflow.Tests.Cli;

/// <summary>`wf` holds --input, --payload, ids and signal names to the engine's rules: refused with exit 2 and the reason, nothing written.</summary>
public class WfStrictInputTests
{
    private static (int Exit, string Stdout, string Stderr) Wf(params string[] args) => WfCommandTests.Wf_(args);

    [Fact]
    public void Start_refuses_input_that_is_not_strict_JSON_and_writes_nothing_not_even_the_program()
    {
        var db = Path.Combine(Directory.CreateTempSubdirectory().FullName, "wf.db");
        var program = WfCommandTests.Program("def main(input):\n    return await signal('go')\n");
        foreach (var (input, says) in new[]
        {
            ("{\"input\": undefined}", "line 1, position 11: undefined is not a JSON value"),
            ("[1, 2,]", "line 1, position 7: a comma before ']' (a trailing comma) is not JSON"),
            ("{'a': 1}", "line 1, position 2: a name in single quotes"),
            ("NaN", "line 1, position 1: NaN is not a JSON number"),
            ("1 // one", "line 1, position 3: '/' (JSON has no comments)"),
        })
        {
            var (exit, stdout, stderr) = Wf("start", program, "--db", db, "--input", input);
            Assert.True(exit == 2, $"{input}: exit {exit}: {stderr}");
            Assert.Equal("", stdout);
            Assert.Contains($"wf: the input is not JSON: {says}", stderr);
        }
        Assert.Equal((0, 0), (Count(db, "instances"), Count(db, "deployments")));
    }

    [Fact]
    public void Start_and_signal_refuse_ids_and_names_that_break_a_rule_naming_it()
    {
        var db = Path.Combine(Directory.CreateTempSubdirectory().FullName, "wf.db");
        var program = WfCommandTests.Program("def main(input):\n    return await signal('go')\n");
        var (exit, _, stderr) = Wf("start", program, "--db", db, "--id", "order\u202E71");
        Assert.Equal(2, exit);
        Assert.Contains("wf: instance id 'order\\u202e71': character 6 is U+202E, a format character", stderr);
        Assert.Equal((0, 0), (Count(db, "instances"), Count(db, "deployments")));

        Assert.Equal(0, Wf("start", program, "--db", db, "--id", "w").Exit);
        (exit, _, stderr) = Wf("signal", "w", "approve/reject", "--db", db);
        Assert.Equal(2, exit);
        Assert.Contains("wf: signal name 'approve/reject': character 8 is '/': a signal name cannot contain '/'", stderr);
        (exit, _, stderr) = Wf("signal", "w", "go", "--db", db, "--payload", "{\"a\": 1, \"a\": 2}");
        Assert.Equal(2, exit);
        Assert.Contains("the signal payload is not JSON: line 1, position 10: the name \"a\" appears twice", stderr);
        Assert.Equal(0, Count(db, "inbox"));
    }

    [Fact]
    public void A_chaos_run_reads_its_input_with_the_engines_strict_parser()
    {
        var (exit, stdout, stderr) = Wf("run", WfCommandTests.Program("def main(input):\n    return input\n"), "--chaos", "--input", "[0x10]");
        Assert.Equal((2, ""), (exit, stdout));
        Assert.Contains("wf: the input is not JSON: line 1, position 2: a hexadecimal number is not JSON", stderr);
    }

    private static long Count(string db, string table)
    {
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }
}
