using System.Text;
using Workflow.Runtime;
using Workflow.Syntax;
using Workflow.Tests.Cli;
using Assert = Xunit.Assert;

namespace Workflow.Tests.Syntax;

/// <summary>
/// Input nested deeper than NestingLimits is one compile error at the place where it crosses the
/// limit, never a stack overflow: the issue's 12 KB program `return ------…1` used to kill the
/// server. Input at the limits compiles on a 512 KB stack, which proves the recursion of the parser
/// and the compiler at those limits stays far within a 1 MB thread (a pass that recursed deeper,
/// or one whose frames grew, would find the stack check's 128 KB reserve and fail here).
/// </summary>
public class NestingLimitTests
{
    private const int HalfMegabyte = 512 * 1024;
    private const string TooDeep = "expression nested too deeply";
    private const string TooManyBrackets = "too many nested parentheses";

    private static IReadOnlyList<Diagnostic> Compile(string source) =>
        SmallStack.Run(HalfMegabyte, () => WorkflowProgram.Compile(source, "prog.wf").Diagnostics);

    private static string Repeat(string unit, int count) => new StringBuilder(unit.Length * count).Insert(0, unit, count).ToString();

    /// <summary>`x = ` and a chain of [units] [unit]s: after [leaf] when [postfix], else before it, closed by as many [close].</summary>
    private static string Chain(string unit, string leaf, string close, bool postfix, int units) =>
        "x = " + (postfix ? leaf + Repeat(unit, units) : Repeat(unit, units) + leaf + Repeat(close, units)) + "\n";

    // Each row: a chain whose unit opens [levels] levels, and the column (in `x = …`, which starts at
    // column 5) of the token that opens the 201st level, reading left to right.
    [Theory]
    [InlineData("-", "1", "", false, 1, 205, TooDeep)]
    [InlineData("~", "1", "", false, 1, 205, TooDeep)]
    [InlineData("not ", "1", "", false, 1, 805, TooDeep)]
    [InlineData("2**", "1", "", false, 1, 606, TooDeep)]
    [InlineData("lambda: ", "1", "", false, 1, 1605, TooDeep)]
    [InlineData("1 if 1 else ", "1", "", false, 1, 2407, TooDeep)]
    [InlineData("+1", "1", "", true, 1, 406, TooDeep)]
    [InlineData("*1", "1", "", true, 1, 406, TooDeep)]
    [InlineData("<<1", "1", "", true, 1, 606, TooDeep)]
    [InlineData(".a", "a", "", true, 1, 406, TooDeep)]
    [InlineData("[0]", "a", "", true, 1, 606, TooDeep)]
    [InlineData("()", "f", "", true, 1, 406, TooDeep)]
    [InlineData("-(", "1", ")", false, 2, 205, TooDeep)]
    [InlineData("[*", "a", "]", false, 2, 205, TooDeep)]
    [InlineData("f(*", "a", ")", false, 2, 306, TooDeep)]
    [InlineData("a[1:", "2", "]", false, 2, 406, TooDeep)]
    [InlineData("(1 and ", "1", ")", false, 2, 705, TooDeep)]
    [InlineData("(1 < ", "1", ")", false, 2, 505, TooDeep)]
    [InlineData("(lambda: ", "1", ")", false, 2, 905, TooDeep)]
    // Brackets alone reach CPython's own limit first, reported in its words at the 201st bracket.
    [InlineData("(", "1", ")", false, 1, 205, TooManyBrackets)]
    [InlineData("[", "", "]", false, 1, 205, TooManyBrackets)]
    [InlineData("{1: ", "1", "}", false, 1, 805, TooManyBrackets)]
    [InlineData("f(", "", ")", false, 1, 406, TooManyBrackets)]
    [InlineData("[x for x in ", "y", "]", false, 1, 2405, TooManyBrackets)]
    [InlineData("(x for x in ", "y", ")", false, 1, 2405, TooManyBrackets)]
    [InlineData("{x: y for x in ", "y", "}", false, 1, 3005, TooManyBrackets)]
    public void Every_kind_of_nesting_compiles_at_the_limit_and_is_one_error_past_it(
        string unit, string leaf, string close, bool postfix, int levels, int column, string message)
    {
        int atLimit = NestingLimits.Expression / levels;
        Assert.Empty(Compile(Chain(unit, leaf, close, postfix, atLimit)));
        var diagnostic = Assert.Single(Compile(Chain(unit, leaf, close, postfix, atLimit + 1)));
        Assert.Equal($"prog.wf:1:{column}: {message}", diagnostic.ToString());
        // Far beyond, a chain that also nests brackets has more than 200 of them: the lexer, which
        // runs first, reports the 201st in CPython's words, and the parser keeps quiet on that line.
        if (!postfix && close.Length > 0)
            (column, message) = (5 + NestingLimits.Brackets * unit.Length + unit.IndexOfAny(['(', '[', '{']), TooManyBrackets);
        foreach (int units in new[] { 5_000, 100_000 })
        {
            diagnostic = Assert.Single(Compile(Chain(unit, leaf, close, postfix, units)));
            Assert.Equal($"prog.wf:1:{column}: {message}", diagnostic.ToString());
        }
    }

    /// <summary>The issue's program and its siblings, inside a function as the issue sent it.</summary>
    [Theory]
    [InlineData("-", "1", "", false, 212, TooDeep)]
    [InlineData("not ", "1", "", false, 812, TooDeep)]
    [InlineData("+1", "1", "", true, 413, TooDeep)]
    [InlineData(".a", "a", "", true, 413, TooDeep)]
    [InlineData("[0]", "a", "", true, 613, TooDeep)]
    [InlineData("()", "f", "", true, 413, TooDeep)]
    [InlineData("(", "1", ")", false, 212, TooManyBrackets)]
    public void The_issues_chains_of_12000_are_one_error_at_the_201st_level(string unit, string leaf, string close, bool postfix, int column, string message)
    {
        string chain = postfix ? leaf + Repeat(unit, 12_000) : Repeat(unit, 12_000) + leaf + Repeat(close, 12_000);
        var diagnostic = Assert.Single(Compile("def main(input):\n    return " + chain + "\n"));
        Assert.Equal($"prog.wf:2:{column}: {message}", diagnostic.ToString());
    }

    [Fact]
    public void An_f_string_field_counts_the_levels_around_it()
    {
        // The f-string is level 1 and its field level 2, so its 199th minus sign opens level 201.
        Assert.Empty(Compile("x = f'{" + Repeat("-", 198) + "1}'\n"));
        var diagnostic = Assert.Single(Compile("x = f'{" + Repeat("-", 12_000) + "1}'\n"));
        Assert.Equal("prog.wf:1:206: f-string: expression nested too deeply", diagnostic.ToString());
        // Inside 199 minus signs the f-string is level 200, so its field's `{` would open level 201.
        diagnostic = Assert.Single(Compile("x = " + Repeat("-", 199) + "f'{a}'\n"));
        Assert.Equal("prog.wf:1:206: f-string: expression nested too deeply", diagnostic.ToString());
    }

    [Fact]
    public void Blocks_nest_up_to_CPythons_indentation_limit()
    {
        static string Ifs(int depth) => string.Concat(Enumerable.Range(0, depth).Select(i => new string(' ', i) + "if x:\n")) + new string(' ', depth) + "pass\n";
        Assert.Empty(Compile(Ifs(NestingLimits.IndentLevels - 1)));
        var diagnostic = Assert.Single(Compile(Ifs(NestingLimits.IndentLevels)));
        Assert.Equal("prog.wf:101:101: too many levels of indentation", diagnostic.ToString());
        Assert.Single(Compile(Ifs(5_000)));
    }

    /// <summary>
    /// The deepest programs the limits allow: 99 nested blocks of each kind around an expression of
    /// 200 levels of each of the costliest kinds (every level of brackets passes through the whole
    /// recursive descent; lambdas and comprehensions compile a function per level).
    /// </summary>
    [Fact]
    public void The_deepest_programs_the_limits_allow_compile_on_a_512_KB_stack()
    {
        var expressions = new[]
        {
            Repeat("f(", 200) + Repeat(")", 200),
            Repeat("(", 200) + "1" + Repeat(")", 200),
            Repeat("lambda: ", 200) + "1",
            Repeat("[x for x in ", 200) + "y" + Repeat("]", 200),
            Repeat("{x: ", 200) + "y" + Repeat(" for x in z}", 200),
            Repeat("f(lambda: ", 100) + "1" + Repeat(")", 100),
            Repeat("f([{1: (lambda: [x for x in -(a.b[", 22) + "1" + Repeat("])]), 2: 3}])", 22),
        };
        var blocks = new Func<int, string>[]
        {
            i => $"def f{i}():",
            i => $"class C{i}:",
            _ => "if x:",
            _ => "for x in y:",
            _ => "while x:",
            _ => "try:",
        };
        foreach (var block in blocks)
        {
            foreach (var expression in expressions)
            {
                var source = new StringBuilder();
                int depth = NestingLimits.IndentLevels - 1;
                for (int i = 0; i < depth; i++)
                    source.Append(' ', i).Append(block(i)).Append('\n');
                source.Append(' ', depth).Append("x = ").Append(expression).Append('\n');
                for (int i = depth - 1; i >= 0; i--)
                    if (block(i) == "try:")
                        source.Append(' ', i).Append("finally:\n").Append(' ', i + 1).Append("pass\n");
                var diagnostics = Compile(source.ToString());
                Assert.True(diagnostics.Count == 0, $"{block(0)} {expression[..20]}…: {string.Join("\n", diagnostics)}");
            }
        }
    }

    /// <summary>Chains that are long without nesting are not limited: the passes walk them with loops.</summary>
    [Fact]
    public void Long_chains_that_do_not_nest_compile_and_run_on_a_small_stack()
    {
        var source = new StringBuilder("def pick(x):\n    if x == 0:\n        return 0\n");
        for (int i = 1; i < 20_000; i++) source.Append($"    elif x == {i}:\n        return {i}\n");
        source.Append("    else:\n        return -1\n");
        source.Append("print(pick(19_999), pick(20_000))\n");
        source.Append("print(" + string.Join(" and ", Enumerable.Repeat("1", 20_000)) + ")\n");
        source.Append("print(len([0 " + Repeat("for a in [1, 2] ", 10) + Repeat("for b in [1] ", 300) + "]))\n");
        source.Append("print(sum([" + string.Join(", ", Enumerable.Repeat("1", 20_000)) + "]))\n");
        var output = SmallStack.Run(HalfMegabyte, () =>
        {
            var program = WorkflowProgram.Compile(source.ToString(), "prog.wf");
            Assert.Empty(program.Diagnostics);
            var text = new StringWriter();
            var result = program.Run(null, text);
            Assert.Equal(ProgramStatus.Completed, result.Status);
            return text.ToString();
        });
        Assert.Equal("19999 -1\n1\n1024\n20000\n", output);
    }

    [Fact]
    public void Wf_check_reports_the_issues_program_on_one_line_and_exits_1()
    {
        var path = WfCommandTests.Program("def main(input):\n    return " + Repeat("-", 12_000) + "1\n");
        var (exit, stdout, stderr) = WfCommandTests.Wf_("check", path);
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Equal($"{path}:2:212: expression nested too deeply\n", stderr);
    }
}
