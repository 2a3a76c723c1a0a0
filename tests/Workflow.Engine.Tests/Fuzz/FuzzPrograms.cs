using System.Text;
using Workflow.Syntax;
using Workflow.Tests.Conformance;

namespace Workflow.Tests.Fuzz;

/// <summary>One program for the compiler fuzzer: its [Name] says how to make it again.</summary>
internal sealed record FuzzCase(string Name, string Source);

/// <summary>
/// A nested program: [Depth] units of one kind of nesting, which may nest at most [Limit] units
/// (int.MaxValue for a chain that does not nest); [Valid] when it is valid at a small depth.
/// </summary>
internal sealed record NestingCase(FuzzCase Case, int Depth, int Limit, bool Valid);

/// <summary>
/// The programs the compiler fuzzer feeds to WorkflowProgram.Compile. Every family draws from a
/// Random seeded by the case's number, so a case is made again, alone, from its name.
/// </summary>
internal static class FuzzPrograms
{
    private static readonly string[] Keywords =
    [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
        "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", "match", "case", "_",
    ];

    private static readonly string[] Operators =
    [
        "(", ")", "[", "]", "{", "}", ":", ",", ";", ".", "...", "->", "@", "+", "-", "*", "/", "//", "%", "**", "~",
        "&", "|", "^", "<<", ">>", "=", "==", "!=", "<", ">", "<=", ">=", ":=", "+=", "-=", "*=", "/=", "//=", "%=",
        "**=", "&=", "|=", "^=", "<<=", ">>=", "@=", "!", "$", "?", "`", "\\",
    ];

    private static readonly string[] Atoms =
    [
        "x", "y", "print", "len", "self", "main", "input", "spawn", "channel", "signal", "gather", "_x1", "é", "名前",
        "0", "1", "42", "0x1f", "0o17", "0b101", "1_000", "3.14", "1e10", "1e-5", ".5", "5.", "0j", "1__0", "0x", "09",
        "'s'", "\"d\"", "'''t'''", "\"\"\"u\"\"\"", "r'\\d'", "b'x'", "f'{x}'", "f'{x!r:>5}'", "f'{{}}'", "f'{'", "f'{x=}'",
        "'unterminated", "\"\"\"open", "# comment", "\\\n",
    ];

    /// <summary>Random tokens, a few lines of them, some indented: mostly nonsense, sometimes almost a program.</summary>
    public static IEnumerable<FuzzCase> TokenSoups(int count)
    {
        for (int n = 0; n < count; n++)
        {
            var random = new Random(1_000_000 + n);
            var text = new StringBuilder();
            int tokens = random.Next(1, 200);
            for (int i = 0; i < tokens; i++)
            {
                int pick = random.Next(100);
                if (pick < 8)
                {
                    text.Append(random.Next(4) == 0 ? "\r\n" : "\n").Append(' ', random.Next(4) == 0 ? random.Next(13) : 4 * random.Next(4));
                    continue;
                }
                text.Append(pick < 30 ? Keywords[random.Next(Keywords.Length)]
                    : pick < 65 ? Operators[random.Next(Operators.Length)]
                    : Atoms[random.Next(Atoms.Length)]);
                if (random.Next(3) > 0) text.Append(' ');
            }
            if (random.Next(2) == 0) text.Append('\n');
            yield return new FuzzCase($"token soup {n}", text.ToString());
        }
    }

    /// <summary>Every .wf file of the conformance corpus and of the examples.</summary>
    public static readonly Lazy<IReadOnlyList<(string Path, string Source)>> RealPrograms = new(() =>
        new[] { Corpus.Directory, Path.Combine(Corpus.Root, "examples") }
            .SelectMany(root => Directory.EnumerateFiles(root, "*.wf", SearchOption.AllDirectories))
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (Path.GetRelativePath(Corpus.Root, p).Replace('\\', '/'), File.ReadAllText(p)))
            .ToList());

    /// <summary>
    /// Real programs with one to four blind edits each: characters inserted, deleted, doubled or
    /// replaced, lines deleted, doubled, swapped, indented, dedented or cut short.
    /// </summary>
    public static IEnumerable<FuzzCase> Mutants(int count)
    {
        var programs = RealPrograms.Value;
        for (int n = 0; n < count; n++)
        {
            var random = new Random(2_000_000 + n);
            var (path, source) = programs[n % programs.Count];
            var edits = new List<string>();
            for (int k = random.Next(1, 5); k > 0; k--)
                source = Mutate(source, random, edits);
            yield return new FuzzCase($"mutant {n} of {path} ({string.Join(", ", edits)})", source);
        }
    }

    private static readonly string InsertableCharacters = "()[]{}:;,.'\"#\\\n\t =+-*/%<>!@|&^~0123456789abcxyz_é\0\r\u00a0\u2028\ud800\U0001F600";

    private static string Mutate(string source, Random random, List<string> edits)
    {
        if (source.Length == 0) return "x";
        int at = random.Next(source.Length);
        var lines = source.Split('\n').ToList();
        int line = random.Next(lines.Count);
        switch (random.Next(12))
        {
            case 11:
                edits.Add($"open brackets at {at}");
                return source.Insert(at, new string("([{"[random.Next(3)], random.Next(1, 400)));
            case 0:
                edits.Add($"insert at {at}");
                return source.Insert(at, InsertableCharacters[random.Next(InsertableCharacters.Length)].ToString());
            case 1:
                edits.Add($"delete at {at}");
                return source.Remove(at, Math.Min(source.Length - at, random.Next(1, 4)));
            case 2:
                edits.Add($"double at {at}");
                return source.Insert(at, source.Substring(at, Math.Min(source.Length - at, random.Next(1, 10))));
            case 3:
                edits.Add($"replace at {at}");
                return source.Remove(at, 1).Insert(at, InsertableCharacters[random.Next(InsertableCharacters.Length)].ToString());
            case 4:
                edits.Add($"delete line {line}");
                lines.RemoveAt(line);
                break;
            case 5:
                edits.Add($"double line {line}");
                lines.Insert(line, lines[line]);
                break;
            case 6:
                int other = random.Next(lines.Count);
                edits.Add($"swap lines {line} and {other}");
                (lines[line], lines[other]) = (lines[other], lines[line]);
                break;
            case 7:
                edits.Add($"indent line {line}");
                lines[line] = new string(' ', random.Next(1, 9)) + lines[line];
                break;
            case 8:
                edits.Add($"dedent line {line}");
                lines[line] = lines[line].TrimStart();
                break;
            case 9:
                edits.Add($"cut at {at}");
                return source[..at];
            default:
                edits.Add($"insert token at {at}");
                var token = random.Next(2) == 0 ? Keywords[random.Next(Keywords.Length)] : Operators[random.Next(Operators.Length)];
                return source.Insert(at, " " + token + " ");
        }
        return string.Join('\n', lines);
    }

    /// <summary>Text that is strange to a lexer: control characters, lone surrogates, every kind of line end, tabs, huge literals.</summary>
    public static IEnumerable<FuzzCase> StrangeTexts(int count)
    {
        var programs = RealPrograms.Value;
        for (int n = 0; n < count; n++)
        {
            var random = new Random(3_000_000 + n);
            var (path, source) = programs[random.Next(programs.Count)];
            switch (n % 6)
            {
                case 0:
                    yield return new FuzzCase($"strange text {n}: line ends of {path} mixed", MixLineEnds(source, random));
                    break;
                case 1:
                    yield return new FuzzCase($"strange text {n}: {path} with control characters and surrogates", Sprinkle(source, random));
                    break;
                case 2:
                    yield return new FuzzCase($"strange text {n}: {path} with tabs for spaces", TabsForSpaces(source, random));
                    break;
                case 3:
                    yield return new FuzzCase($"strange text {n}: huge literal", HugeLiteral(random));
                    break;
                case 4:
                    yield return new FuzzCase($"strange text {n}: random characters", RandomCharacters(random));
                    break;
                default:
                    yield return new FuzzCase($"strange text {n}: {path} cut after an opening", CutAfterOpening(source, random));
                    break;
            }
        }
    }

    private static string MixLineEnds(string source, Random random)
    {
        var text = new StringBuilder();
        foreach (var line in source.Split('\n'))
            text.Append(line).Append(random.Next(4) switch { 0 => "\r\n", 1 => "\r", 2 => "\n\r", _ => "\n" });
        return text.ToString();
    }

    private static readonly string[] StrangeCharacters =
    [
        "\0", "\ud800", "\udc00", "\udbff\udfff", "\U0001F600", "\uFEFF", "\u200b", "\u200d", "\u202e", "\u2028", "\u2029",
        "\u0085", "\f", "\v", "\u00a0", "\u3000", "\uff10", "\u0301", "\x1b", "\x7f", "\uFFFF", "\uFFFE", "𝔵",
    ];

    private static string Sprinkle(string source, Random random)
    {
        var text = new StringBuilder(source);
        for (int k = random.Next(1, 6); k > 0; k--)
            text.Insert(random.Next(text.Length + 1), StrangeCharacters[random.Next(StrangeCharacters.Length)]);
        return text.ToString();
    }

    private static string TabsForSpaces(string source, Random random)
    {
        var text = new StringBuilder(source.Length);
        foreach (char c in source)
            text.Append(c == ' ' && random.Next(8) == 0 ? "\t" : c.ToString());
        return text.ToString();
    }

    private static string HugeLiteral(Random random)
    {
        string digits = new('7', random.Next(1_000, 20_000));
        return random.Next(8) switch
        {
            0 => "x = " + digits + "\n",
            1 => "x = 0x" + new string('f', digits.Length) + "\n",
            2 => "x = 1." + digits + "e" + digits[..random.Next(1, 12)] + "\n",
            3 => "x = '" + new string('a', 100 * digits.Length) + "'\n",
            4 => new string('n', 10 * digits.Length) + " = 1\n",
            5 => "x = f'" + string.Concat(Enumerable.Repeat("{a}", digits.Length / 10)) + "'\n",
            6 => "x = [" + string.Concat(Enumerable.Repeat("1, ", digits.Length)) + "]\n",
            _ => "x = \"\"\"" + string.Concat(Enumerable.Repeat("line\r\n", digits.Length)) + "\"\"\"\n",
        };
    }

    private static string RandomCharacters(Random random)
    {
        var text = new StringBuilder();
        for (int i = random.Next(1, 300); i > 0; i--)
        {
            text.Append(random.Next(6) switch
            {
                0 => StrangeCharacters[random.Next(StrangeCharacters.Length)],
                1 => ((char)random.Next(0x20, 0x7f)).ToString(),
                2 => "\n" + new string(' ', random.Next(9)),
                3 => ((char)random.Next(0, 0x10000)).ToString(),
                _ => Operators[random.Next(Operators.Length)],
            });
        }
        return text.ToString();
    }

    private static string CutAfterOpening(string source, Random random)
    {
        int at = source.IndexOfAny(['(', '[', '{', '"', '\'', ':'], random.Next(source.Length));
        return at < 0 ? source + "(" : source[..(at + 1)];
    }

    /// <summary>A unit of nesting: [Open] repeated around [Leaf], each closed by [Close].</summary>
    private sealed record Nesting(string Kind, string Open, string Leaf, string Close = "");

    private static readonly Nesting[] ExpressionNestings =
    [
        new("parentheses", "(", "1", ")"), new("lists", "[", "", "]"), new("tuples", "(1, ", "1", ")"), new("dicts", "{1: ", "1", "}"),
        new("dict unpacking", "{**", "{}", "}"), new("calls", "f(", "", ")"), new("keyword arguments", "f(a=", "1", ")"),
        new("starred arguments", "f(*", "a", ")"), new("subscripts", "a[", "0", "]"), new("slices", "a[1:", "2", "]"),
        new("list comprehensions", "[x for x in ", "y", "]"), new("generators", "(x for x in ", "y", ")"),
        new("dict comprehensions", "{x: y for x in ", "z", "}"), new("comprehension conditions", "[x for x in y if ", "z", "]"),
        new("lambdas", "lambda: ", "1"), new("lambda defaults", "lambda x=", "1", ": x"), new("conditional expressions", "1 if 1 else ", "1"),
        new("conditional tests", "(1 if ", "1", " else 1)"), new("unary minus", "-", "1"), new("unary invert", "~", "1"),
        new("not", "not ", "1"), new("powers", "2 ** ", "1"), new("additions", "1 + ", "1"), new("and", "(1 and ", "1", ")"),
        new("comparisons", "(1 < ", "1", ")"), new("awaits", "(await ", "x", ")"), new("f-strings", "f'{", "1", "}'"),
        new("sets", "{", "1", "}"), new("walruses", "(y := ", "1", ")"), new("yields", "(yield ", "1", ")"),
        new("starred in lists", "[*", "a", "]"), new("mixed", "[-(lambda: {1: f(", "x", ")})()]"),
    ];

    private static readonly Nesting[] PostfixNestings =
    [
        new("attributes", ".a", "a"), new("subscripts", "[0]", "a"), new("calls", "()", "f"), new("additions", " + 1", "1"),
        new("multiplications", " * 1", "1"), new("method calls", ".m()", "a"),
    ];

    private static readonly string[] BlockHeaders =
    [
        "if x:", "while x:", "for x in y:", "def f():", "class C:", "try:", "with x:", "elif x:", "else:", "async def f():",
    ];

    /// <summary>The depths the nestings are tried at: around the limits and far beyond them.</summary>
    public static readonly int[] ExpressionDepths = [10, NestingLimits.Expression - 1, NestingLimits.Expression, NestingLimits.Expression + 1, 5_000, 100_000];
    public static readonly int[] BlockDepths = [10, NestingLimits.IndentLevels - 1, NestingLimits.IndentLevels, NestingLimits.IndentLevels + 1, 1_000, 3_000];

    /// <summary>
    /// Every kind of nesting at every depth: expressions (prefix and postfix), at statement level
    /// and inside a function, blocks of every kind, and long chains that do not nest.
    /// </summary>
    public static IEnumerable<NestingCase> Nestings()
    {
        const int expressionLimit = NestingLimits.Expression;
        foreach (var nesting in ExpressionNestings)
        {
            foreach (int depth in ExpressionDepths)
            {
                string expression = Repeat(nesting.Open, depth) + nesting.Leaf + Repeat(nesting.Close, depth);
                bool valid = nesting.Kind is not ("sets" or "walruses" or "f-strings");
                yield return new(new FuzzCase($"{nesting.Kind} nested {depth} deep", "x = " + expression + "\n"),
                    depth, expressionLimit, valid && nesting.Kind != "yields");
                yield return new(new FuzzCase($"{nesting.Kind} nested {depth} deep in a function", "def g():\n    return " + expression + "\n"),
                    depth, expressionLimit, valid);
            }
        }
        foreach (var nesting in PostfixNestings)
            foreach (int depth in ExpressionDepths)
                yield return new(new FuzzCase($"{nesting.Kind} chained {depth} long", "x = " + nesting.Leaf + Repeat(nesting.Open, depth) + "\n"),
                    depth, expressionLimit, true);
        foreach (var header in BlockHeaders)
        {
            foreach (int depth in BlockDepths)
            {
                var text = new StringBuilder();
                for (int i = 0; i < depth; i++) text.Append(' ', i).Append(header).Append('\n');
                text.Append(' ', depth).Append("pass\n");
                bool valid = header is not ("with x:" or "elif x:" or "else:" or "try:" or "async def f():");
                // The 100th level of indentation is refused: 99 blocks may nest.
                yield return new(new FuzzCase($"blocks '{header}' nested {depth} deep", text.ToString()), depth, NestingLimits.IndentLevels - 1, valid);
            }
        }
        foreach (int length in new[] { 10, 10_000, 100_000 })
        {
            var chains = new Dictionary<string, string>
            {
                [$"elif chain {length} long"] = "if x:\n    pass\n" + Repeat("elif x:\n    pass\n", length),
                [$"and chain {length} long"] = "x = " + string.Join(" and ", Enumerable.Repeat("a", length)) + "\n",
                [$"comparison chain {length} long"] = "x = " + string.Join(" < ", Enumerable.Repeat("a", length)) + "\n",
                [$"call of {length} arguments"] = "f(" + string.Join(", ", Enumerable.Repeat("a", length)) + ")\n",
                [$"comprehension of {length} clauses"] = "x = [0 " + Repeat("for a in b ", length) + "]\n",
                [$"{length} statements on one line"] = Repeat("x = 1; ", length) + "\n",
            };
            foreach (var (name, source) in chains)
                yield return new(new FuzzCase(name, source), length, int.MaxValue, true);
        }
    }

    /// <summary>Units of every kind of expression nesting mixed at random, up to 3,000 deep, returned by a function.</summary>
    public static IEnumerable<FuzzCase> MixedNestings(int count)
    {
        for (int n = 0; n < count; n++)
        {
            var random = new Random(4_000_000 + n);
            var units = Enumerable.Range(0, random.Next(1, random.Next(2) == 0 ? 40 : 3_000))
                .Select(_ => ExpressionNestings[random.Next(ExpressionNestings.Length)]).ToList();
            var text = new StringBuilder("def main(input):\n    return ");
            foreach (var unit in units) text.Append(unit.Open);
            text.Append('x');
            for (int i = units.Count - 1; i >= 0; i--) text.Append(units[i].Close);
            yield return new FuzzCase($"mixed nesting {n}, {units.Count} deep", text.Append('\n').ToString());
        }
    }

    private static string Repeat(string unit, int count) => new StringBuilder(unit.Length * count).Insert(0, unit, count).ToString();
}
