using System.Text;

namespace Workflow.Tests.Fuzz;

/// <summary>
/// The lexer, parser, scope analysis and compiler on hostile text: at least 10,000 programs
/// (random token soups, mutations of the conformance corpus and the examples, constructs nested
/// around and far past the limits, odd characters). Each must compile or come back with
/// diagnostics, on a 1 MB stack: any other exception fails the test, and a stack overflow kills the
/// test run, which fails it too. The random source is seeded, so a failure names a program that
/// can be made again.
/// </summary>
public class CompilerFuzzTests
{
    private static readonly string[] Tokens =
    [
        "def", "class", "return", "if", "elif", "else", "while", "for", "in", "not", "and", "or", "is", "lambda",
        "try", "except", "finally", "raise", "with", "yield", "await", "async", "import", "from", "global", "nonlocal",
        "pass", "break", "continue", "del", "assert", "True", "False", "None", "x", "y", "main", "input", "f", "_",
        "0", "1", "10**9", "1.5e308", "0x1F", "'s'", "\"t\"", "f'{x}'", "'''a'''", "b''", "(", ")", "[", "]", "{", "}",
        ":", ",", ".", ";", "=", "==", "+", "-", "*", "**", "/", "//", "%", "<<", ">>", "&", "|", "^", "~", "<", ">",
        "->", "+=", ":=", "@", "...", "\\", "#", "\n", "\n    ", "\n        ", "\t", " ", "\r\n", "\r", "\0", "\u202e",
        "\u200b", "\ufeff", "\ud800", "é", "😀",
    ];

    /// <summary>Operators that nest: each wraps an expression in one more level.</summary>
    private static readonly (string Open, string Close)[] Nesters =
    [
        ("-", ""), ("not ", ""), ("+", ""), ("~", ""), ("(", ")"), ("[", "]"), ("{", "}"), ("{1: ", "}"), ("f(", ")"),
        ("", ".a"), ("", "[0]"), ("", "()"), ("lambda: ", ""), ("1 if ", " else 2"), ("[", " for x in y]"), ("await ", ""),
        ("x + (", ")"), ("f'{", "}'"),
    ];

    [Fact]
    public void Ten_thousand_hostile_programs_each_compile_or_get_diagnostics_never_a_crash()
    {
        var random = new Random(20261207);
        var corpus = Corpus();
        Assert.True(corpus.Count > 100, $"only {corpus.Count} corpus programs found");
        var programs = new List<string>();
        for (int i = 0; i < 4000; i++) programs.Add(TokenSoup(random));
        for (int i = 0; i < 4000; i++) programs.Add(Mutate(corpus[random.Next(corpus.Count)], random));
        foreach (var depth in new[] { 1, 10, 199, 200, 201, 1000, 5000, 100_000 })
            foreach (var (open, close) in Nesters)
                programs.Add("def main(input):\n    return " + Nest(open, close, depth) + "\n");
        foreach (var depth in new[] { 10, 99, 100, 101, 1000, 2000 })
        {
            programs.Add(Blocks(depth, "if x:"));
            programs.Add(Blocks(depth, "while x:"));
            programs.Add(Blocks(depth, "def f():"));
            programs.Add(Blocks(depth, "try:", "finally:\n"));
        }
        while (programs.Count < 10_000) programs.Add(Nest(Nesters[random.Next(Nesters.Length)], random));

        int compiled = 0, refused = 0;
        SmallStack.Run(SmallStack.OneMegabyte, () =>
        {
            for (int i = 0; i < programs.Count; i++)
            {
                WorkflowProgram program;
                try
                {
                    program = WorkflowProgram.Compile(programs[i], $"fuzz{i}.wf");
                }
                catch (Exception e)
                {
                    throw new Xunit.Sdk.XunitException($"program {i} threw {e.GetType().Name}: {e.Message}\n--- program (first 300 characters) ---\n{programs[i][..Math.Min(300, programs[i].Length)]}");
                }
                if (program.HasErrors)
                {
                    Assert.NotEmpty(program.Diagnostics);
                    refused++;
                }
                else
                {
                    compiled++;
                }
            }
        });
        Assert.Equal(programs.Count, compiled + refused);
        Assert.True(programs.Count >= 10_000);
        // Both outcomes occur: the generator is not only making garbage, nor only valid programs.
        Assert.True(compiled > 100 && refused > 100, $"{compiled} compiled, {refused} refused");
    }

    [Theory]
    [InlineData("-", "")]
    [InlineData("not ", "")]
    [InlineData("", ".a")]
    [InlineData("", "[0]")]
    [InlineData("", "()")]
    [InlineData("(", ")")]
    public void A_chain_of_twelve_thousand_gets_one_diagnostic_at_its_place(string open, string close)
    {
        var program = SmallStack.Run(SmallStack.OneMegabyte, () =>
            WorkflowProgram.Compile("def main(input):\n    return " + Nest(open, close, 12_000) + "\n", "deep.wf"));
        var diagnostic = Assert.Single(program.Diagnostics);
        Assert.Equal(2, diagnostic.Line);
        Assert.Matches("nested too deeply|too many nested parentheses", diagnostic.Message);
    }

    private static string Nest(string open, string close, int depth)
    {
        var sb = new StringBuilder(depth * (open.Length + close.Length) + 1);
        for (int i = 0; i < depth; i++) sb.Append(open);
        sb.Append('x');
        for (int i = 0; i < depth; i++) sb.Append(close);
        return sb.ToString();
    }

    /// <summary>Random nesters mixed, at a random depth up to 3,000.</summary>
    private static string Nest((string Open, string Close) first, Random random)
    {
        int depth = random.Next(1, 3000);
        var chosen = Enumerable.Range(0, depth).Select(_ => random.Next(3) == 0 ? first : Nesters[random.Next(Nesters.Length)]).ToArray();
        var sb = new StringBuilder("def main(input):\n    return ");
        foreach (var (open, _) in chosen) sb.Append(open);
        sb.Append('x');
        for (int i = chosen.Length - 1; i >= 0; i--) sb.Append(chosen[i].Close);
        return sb.Append('\n').ToString();
    }

    private static string Blocks(int depth, string header, string? footer = null)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < depth; i++) sb.Append(' ', 4 * i).Append(header).Append('\n');
        sb.Append(' ', 4 * depth).Append("pass\n");
        if (footer != null)
            for (int i = depth - 1; i >= 0; i--) sb.Append(' ', 4 * i).Append(footer).Append(' ', 4 * i + 4).Append("pass\n");
        return sb.ToString();
    }

    private static string TokenSoup(Random random)
    {
        var sb = new StringBuilder();
        int count = random.Next(1, 200);
        for (int i = 0; i < count; i++) sb.Append(Tokens[random.Next(Tokens.Length)]).Append(random.Next(3) == 0 ? "" : " ");
        return sb.ToString();
    }

    /// <summary>Deletes, duplicates, swaps or inserts characters and lines of [source].</summary>
    private static string Mutate(string source, Random random)
    {
        var sb = new StringBuilder(source);
        int edits = random.Next(1, 8);
        for (int e = 0; e < edits && sb.Length > 0; e++)
        {
            int at = random.Next(sb.Length);
            switch (random.Next(6))
            {
                case 0: sb.Remove(at, Math.Min(random.Next(1, 20), sb.Length - at)); break;
                case 1: sb.Insert(at, Tokens[random.Next(Tokens.Length)]); break;
                case 2: sb.Insert(at, sb.ToString(at, Math.Min(random.Next(1, 80), sb.Length - at))); break;
                case 3: sb[at] = (char)random.Next(0, 0x3000); break;
                case 4: sb.Insert(at, "\n" + new string(' ', random.Next(0, 13))); break;
                default: sb.Insert(at, new string('(', random.Next(1, 400))); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>The conformance corpus's programs and the examples: real programs to mutate.</summary>
    private static List<string> Corpus()
    {
        var root = AppContext.BaseDirectory;
        while (root != null && !File.Exists(Path.Combine(root, "Workflow.sln"))) root = Path.GetDirectoryName(root);
        Assert.NotNull(root);
        return Directory.EnumerateFiles(Path.Combine(root!, "tests", "conformance"), "*.wf", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(root!, "examples"), "*.wf", SearchOption.AllDirectories))
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(File.ReadAllText)
            .ToList();
    }
}
