using Workflow.Runtime;

namespace Workflow.Tests.Conformance;

/// <summary>
/// Runs every program of the conformance corpus through the VM and requires output identical
/// byte for byte to the checked-in expectation: CPython 3.11's output for the Python subset, the
/// reference oracle's (tests/conformance/stackless_ref.py) for the stackless additions.
/// </summary>
public class ConformanceTests
{
    public static IEnumerable<object[]> PythonPrograms() => Corpus.Programs("python");
    public static IEnumerable<object[]> StacklessPrograms() => Corpus.Programs("stackless");

    [Theory]
    [MemberData(nameof(PythonPrograms))]
    public void Python_program_prints_what_CPython_prints(string program) => RunAndCompare(program);

    [Theory]
    [MemberData(nameof(StacklessPrograms))]
    public void Stackless_program_prints_what_the_oracle_prints(string program) => RunAndCompare(program);

    [Fact]
    public void Corpus_has_at_least_300_python_programs_each_with_expected_output()
    {
        var programs = PythonPrograms().Select(p => (string)p[0]).ToList();
        Assert.True(programs.Count >= 300, $"only {programs.Count} programs");
        foreach (var p in programs)
            Assert.True(File.Exists(Path.Combine(Corpus.Directory, Path.ChangeExtension(p, ".out"))), $"{p} has no .out");
    }

    internal static void RunAndCompare(string relative, Workflow.Pickling.ChaosStatistics? chaos = null)
    {
        var path = Path.Combine(Corpus.Directory, relative);
        var expected = File.ReadAllText(Path.ChangeExtension(path, ".out"));
        var exitFile = Path.ChangeExtension(path, ".exit");
        var expectedExit = File.Exists(exitFile) ? int.Parse(File.ReadAllText(exitFile).Trim()) : 0;
        var inputFile = Path.ChangeExtension(path, ".input.json");
        var input = File.Exists(inputFile) ? File.ReadAllText(inputFile) : null;

        var (output, exit) = Run(path, input, chaos);
        Assert.Equal(expected, output);
        Assert.Equal(expectedExit, exit);
    }

    /// <summary>Runs a program as `wf run` would; a failure's last line joins the output, as the corpus records deadlocks.</summary>
    internal static (string Output, int Exit) Run(string path, string? input, Workflow.Pickling.ChaosStatistics? chaos = null)
    {
        var program = WorkflowProgram.Load(path);
        Assert.True(!program.HasErrors, string.Join("\n", program.Diagnostics));
        var output = new StringWriter();
        var options = new InterpreterOptions { MaxTicks = 500_000_000, Chaos = chaos != null };
        var result = program.Run(input, output, options, null, chaos);
        if (result.Status == ProgramStatus.Failed)
        {
            var summary = result.ErrorSummary!;
            if (summary.StartsWith("DeadlockError:", StringComparison.Ordinal)) output.Write(summary + "\n");
            else output.Write("[uncaught] " + result.ErrorText);
            return (output.ToString(), 1);
        }
        if (result.ResultJson != null) output.Write(result.ResultJson + "\n");
        return (output.ToString(), 0);
    }
}
