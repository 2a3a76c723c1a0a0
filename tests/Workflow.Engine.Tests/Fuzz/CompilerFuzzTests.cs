using Workflow.Syntax;
using Xunit.Abstractions;
using Assert = Xunit.Assert;

namespace Workflow.Tests.Fuzz;

/// <summary>
/// More than 10,000 programs through the lexer, parser and compiler (WorkflowProgram.Compile):
/// token soups, blind mutations of the conformance corpus and the examples, strange text (control
/// characters, lone surrogates, mixed line ends, tabs, huge literals), and every kind of nesting at
/// depths around the limits and far beyond. Each must compile, or come back with diagnostics that
/// point inside the file; anything else is a bug: an exception, an "internal" diagnostic (a bug
/// caught and reported), a diagnostic outside the file, or a stack overflow, which would kill the
/// test run. They compile on a 1 MB thread, the stack an engine thread may have.
/// </summary>
/// <remarks>
/// Each case is made from a Random seeded by its number, so its name is enough to make it again
/// (FuzzPrograms); a failing case is also written under the temp directory (compiler-fuzz/).
/// </remarks>
public class CompilerFuzzTests(ITestOutputHelper output)
{
    private const int TokenSoups = 3_000;
    private const int Mutants = 6_000;
    private const int StrangeTexts = 1_500;
    private const int MixedNestings = 600;

    /// <summary>What is wrong with how [source] compiles, or null when nothing is; its [diagnostics].</summary>
    private static string? Problem(string source, out IReadOnlyList<Diagnostic> diagnostics)
    {
        diagnostics = [];
        WorkflowProgram program;
        try
        {
            program = WorkflowProgram.Compile(source, "fuzz.wf");
        }
        catch (Exception e)
        {
            return "Compile threw " + e;
        }
        diagnostics = program.Diagnostics;
        if (program.HasErrors != program.Diagnostics.Count > 0)
            return $"HasErrors is {program.HasErrors} with {program.Diagnostics.Count} diagnostics";
        // Positions count lines as the parser does: \r\n, \r and \n each end one.
        int lines = source.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n').Length;
        foreach (var d in program.Diagnostics)
        {
            if (d.Message.Contains("internal", StringComparison.OrdinalIgnoreCase)) return "a bug reported as a diagnostic: " + d;
            if (d.File != "fuzz.wf" || d.Line < 1 || d.Line > lines + 1 || d.Col < 1) return "a diagnostic outside the file: " + d;
        }
        // wf dis shows every program that compiles (a big one is skipped: the listing is slow to write).
        if (!program.HasErrors && source.Length < 100_000 && program.Disassemble().Length == 0) return "no bytecode";
        return null;
    }

    /// <summary>
    /// Compiles every case on a 1 MB thread, and asks [expectation] (if any) about the diagnostics
    /// of each; fails with the first problems found, or with the case that was compiling when the
    /// time limit ran out. Returns how many cases ran.
    /// </summary>
    private int Fuzz(IEnumerable<FuzzCase> cases, Func<FuzzCase, IReadOnlyList<Diagnostic>, string?>? expectation = null, int timeLimitSeconds = 120)
    {
        var problems = new List<string>();
        int count = 0;
        FuzzCase? current = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        SmallStack.Run(SmallStack.OneMegabyte, () =>
        {
            foreach (var fuzzCase in cases)
            {
                current = fuzzCase;
                count++;
                var problem = Problem(fuzzCase.Source, out var diagnostics) ?? expectation?.Invoke(fuzzCase, diagnostics);
                if (problem == null) continue;
                problems.Add($"{fuzzCase.Name}: {problem}");
                Save(fuzzCase);
            }
            return count;
        }, TimeSpan.FromSeconds(timeLimitSeconds), () => $"compiling {current?.Name}");
        output.WriteLine($"{count} programs in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(problems.Count == 0, $"{problems.Count} of {count} programs:\n" + string.Join("\n", problems.Take(10)));
        return count;
    }

    private static void Save(FuzzCase fuzzCase)
    {
        var directory = Path.Combine(Path.GetTempPath(), "compiler-fuzz");
        Directory.CreateDirectory(directory);
        var name = string.Concat(fuzzCase.Name.Take(60).Select(c => char.IsLetterOrDigit(c) ? c : '_'));
        File.WriteAllText(Path.Combine(directory, name + ".wf"), fuzzCase.Source);
    }

    [Fact]
    public void Every_program_of_the_corpus_and_the_examples_compiles()
    {
        var programs = FuzzPrograms.RealPrograms.Value;
        Assert.True(programs.Count > 400, $"only {programs.Count} programs found");
        Fuzz(programs.Select(p => new FuzzCase(p.Path, p.Source)), (_, diagnostics) =>
            diagnostics.Count == 0 ? null : "does not compile: " + diagnostics[0]);
    }

    [Fact]
    public void Token_soups_compile_or_report_diagnostics() =>
        Assert.Equal(TokenSoups, Fuzz(FuzzPrograms.TokenSoups(TokenSoups)));

    [Fact]
    public void Mutants_of_real_programs_compile_or_report_diagnostics()
    {
        var outcomes = new Outcomes();
        Assert.Equal(Mutants, Fuzz(FuzzPrograms.Mutants(Mutants), outcomes.Count));
        outcomes.AssertBothCame();
    }

    [Fact]
    public void Random_mixes_of_nesting_compile_or_are_refused()
    {
        var outcomes = new Outcomes();
        Assert.Equal(MixedNestings, Fuzz(FuzzPrograms.MixedNestings(MixedNestings), outcomes.Count));
        outcomes.AssertBothCame();
    }

    /// <summary>
    /// How many programs compiled and how many were refused: both must come often, or the
    /// generator makes only garbage, or only valid programs, and tests less than it seems to.
    /// </summary>
    private sealed class Outcomes
    {
        private int _compiled, _refused;

        public string? Count(FuzzCase _, IReadOnlyList<Diagnostic> diagnostics)
        {
            if (diagnostics.Count == 0) _compiled++;
            else _refused++;
            return null;
        }

        public void AssertBothCame() => Assert.True(_compiled >= 50 && _refused >= 50, $"{_compiled} compiled, {_refused} refused");
    }

    [Fact]
    public void Strange_text_compiles_or_reports_diagnostics() =>
        Assert.Equal(StrangeTexts, Fuzz(FuzzPrograms.StrangeTexts(StrangeTexts)));

    /// <summary>
    /// Every kind of nesting at depths around the limits and far beyond: a valid kind compiles at
    /// depth 10, and any kind past the limits is refused; in between, only robustness is asked.
    /// </summary>
    [Fact]
    public void Nesting_of_every_kind_at_every_depth_compiles_or_is_refused()
    {
        var nestings = FuzzPrograms.Nestings().ToDictionary(n => n.Case.Name);
        int count = Fuzz(nestings.Values.Select(n => n.Case), (c, diagnostics) =>
        {
            var n = nestings[c.Name];
            bool shouldCompile = n.Valid && (n.Depth <= 10 || n.Limit == int.MaxValue);
            if (shouldCompile && diagnostics.Count > 0) return "does not compile: " + diagnostics[0];
            if ((n.Depth > n.Limit || (!n.Valid && n.Depth <= 10)) && diagnostics.Count == 0) return "compiles, though it is invalid or too deep";
            return null;
        }, timeLimitSeconds: 180);
        Assert.True(count > 400, $"only {count} nestings");
    }
}
