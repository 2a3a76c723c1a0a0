using System.Diagnostics;

namespace Workflow.Tests.Cli;

/// <summary>The `wf` tool run as a real process, as a user runs it: output streams and exit codes.</summary>
public class WfCommandTests
{
    internal static readonly string Wf = Path.Combine(AppContext.BaseDirectory, "wf.dll");

    internal static (int Exit, string Stdout, string Stderr) Wf_(params string[] args) => WfIn(null, args);

    /// <summary>Runs `wf` with [args] in [workingDirectory] (null: this process's).</summary>
    internal static (int Exit, string Stdout, string Stderr) WfIn(string? workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory != null) psi.WorkingDirectory = workingDirectory;
        psi.ArgumentList.Add(Wf);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(60_000), "wf did not finish");
        return (p.ExitCode, stdout.Result, stderr);
    }

    internal static string Program(string source)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "prog.wf");
        File.WriteAllText(path, source);
        return path;
    }

    [Fact]
    public void Run_prints_output_then_mains_result_as_json_on_the_last_line()
    {
        var path = Program("print('hello')\ndef main(input):\n    return {'n': input['n'] * 2, 'tags': ('a', 'é')}\n");
        var (exit, stdout, stderr) = Wf_("run", path, "--input", "{\"n\": 21}");
        Assert.Equal(0, exit);
        Assert.Equal("hello\n{\"n\": 42, \"tags\": [\"a\", \"\\u00e9\"]}\n", stdout);
        Assert.Equal("", stderr);
    }

    [Fact]
    public void Run_prints_no_result_line_when_main_returns_None()
    {
        var (exit, stdout, _) = Wf_("run", Program("def main(input):\n    print('side effect')\n"));
        Assert.Equal(0, exit);
        Assert.Equal("side effect\n", stdout);
    }

    [Fact]
    public void Run_with_input_that_is_not_json_is_refused_with_exit_2()
    {
        var (exit, stdout, stderr) = Wf_("run", Program("def main(input):\n    return input\n"), "--input", "{not json");
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains("the input is not JSON", stderr);
    }

    [Fact]
    public void Run_of_a_failing_program_prints_the_traceback_on_stderr_and_exits_1()
    {
        var (exit, stdout, stderr) = Wf_("run", Program("print('before')\nx = 1 / 0\n"));
        Assert.Equal(1, exit);
        Assert.Equal("before\n", stdout);
        Assert.Contains("line 2, in <module>", stderr);
        Assert.EndsWith("ZeroDivisionError: division by zero\n", stderr);
    }

    [Fact]
    public void Run_of_a_deadlocked_program_names_each_blocked_tasklet_and_exits_1()
    {
        var (exit, _, stderr) = Wf_("run", Program("ch = channel()\ndef worker():\n    ch.send(1)\n    ch.send(2)\nspawn(worker)\nch.receive()\nch.receive()\nch.receive()\n"));
        Assert.Equal(1, exit);
        Assert.Equal("DeadlockError: deadlock: all tasklets are blocked: tasklet 1 (main) at line 8 on receive\n", stderr);
    }

    [Fact]
    public void Check_reports_errors_as_file_line_col_and_exits_1()
    {
        var path = Program("x = 1 +\ny = 2\nz = [1, 2\n");
        var (exit, _, stderr) = Wf_("check", path);
        Assert.Equal(1, exit);
        Assert.Matches(@"prog\.wf:1:\d+: ", stderr);
        Assert.Equal(0, Wf_("check", Program("x = 1\n")).Exit);
    }

    [Fact]
    public void Dis_lists_functions_with_resume_sites_and_live_variables()
    {
        var (exit, stdout, _) = Wf_("dis", Program("def f(a, b):\n    big = [0] * 1000\n    n = len(big)\n    g(a)\n    return a + n\n"));
        Assert.Equal(0, exit);
        Assert.Contains("== f (", stdout);
        // After the call g(a), only a and n are read again: big and b are dead there.
        Assert.Contains("live a, n", stdout);
    }

    [Fact]
    public void Run_with_chaos_prints_exactly_what_a_plain_run_prints()
    {
        var path = Program("""
            def worker(ch, out):
                for v in ch:
                    out.send(v * v)
                out.close()

            def main(input):
                ch = channel(1)
                out = channel()
                t = spawn(worker, ch, out)
                for i in range(input["n"]):
                    ch.send(i)
                    print("sent", i, "got", out.receive())
                ch.close()
                await t
                return {"squares": sorted([i * i for i in range(input["n"])], key=lambda v: -v)}
            """);
        var plain = Wf_("run", path, "--input", "{\"n\": 5}");
        var chaos = Wf_("run", path, "--input", "{\"n\": 5}", "--chaos");
        Assert.Equal(0, plain.Exit);
        Assert.Contains("sent 4 got 16", plain.Stdout);
        Assert.Equal(plain, chaos);
    }
}
