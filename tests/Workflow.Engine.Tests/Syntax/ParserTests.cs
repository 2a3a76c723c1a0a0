using System.Globalization;
using System.Numerics;
using System.Text;
using Workflow.Syntax;
using Assert = Xunit.Assert;
using AssertStmt = Workflow.Syntax.Assert;
using Attribute = Workflow.Syntax.Attribute;

namespace Workflow.Tests.Syntax;

public sealed class ParserTests
{
    // ---- helpers

    private static ModuleNode ParseOk(string source)
    {
        var diagnostics = new List<Diagnostic>();
        var module = Parser.Parse(source, "t.wf", diagnostics);
        Assert.True(diagnostics.Count == 0, string.Join("\n", diagnostics));
        return module;
    }

    private static string Stmts(string source) => AstDump.Body(ParseOk(source).Body);

    // The S-expression of the single expression statement [source].
    private static string Expr(string source)
    {
        var body = ParseOk(source).Body;
        var statement = Assert.IsType<ExprStmt>(Assert.Single(body));
        return AstDump.Dump(statement.Value);
    }

    private static List<string> Errors(string source)
    {
        var diagnostics = new List<Diagnostic>();
        Parser.Parse(source, "t.wf", diagnostics);
        return diagnostics.Select(d => $"{d.Line}:{d.Col}: {d.Message}").ToList();
    }

    private static string Error(string source)
    {
        var errors = Errors(source);
        Assert.True(errors.Count == 1, $"expected one error, got:\n{string.Join("\n", errors)}");
        return errors[0];
    }

    // ---- lexical structure

    [Fact]
    public void Integers_DecimalHexOctalBinaryAndUnderscores()
    {
        Assert.Equal("(Constant 1000000)", Expr("1_000_000"));
        Assert.Equal("(Constant 255)", Expr("0xff"));
        Assert.Equal("(Constant 255)", Expr("0XF_F"));
        Assert.Equal("(Constant 8)", Expr("0o10"));
        Assert.Equal("(Constant 5)", Expr("0b101"));
        Assert.Equal("(Constant 0)", Expr("0_0"));
        Assert.Equal("(Constant 0)", Expr("00"));
    }

    [Fact]
    public void Integers_TooBigForLong_BecomeBigInteger()
    {
        var module = ParseOk("9223372036854775807\n9223372036854775808\n0xffffffffffffffffff");
        var values = module.Body.Select(s => ((Constant)((ExprStmt)s).Value).Value).ToList();
        Assert.IsType<long>(values[0]);
        Assert.Equal(BigInteger.Parse("9223372036854775808"), Assert.IsType<BigInteger>(values[1]));
        Assert.Equal(BigInteger.Parse("4722366482869645213695"), Assert.IsType<BigInteger>(values[2]));
    }

    [Fact]
    public void Floats_AllForms()
    {
        Assert.Equal("(Constant 1.5)", Expr("1.5"));
        Assert.Equal("(Constant 1.0)", Expr("1."));
        Assert.Equal("(Constant 0.5)", Expr(".5"));
        Assert.Equal("(Constant 10000000000.0)", Expr("1e10"));
        Assert.Equal("(Constant 1000.5)", Expr("1_000.5"));
        Assert.Equal("(Constant 0.001)", Expr("1E-3"));
        Assert.Equal("(Constant 100000.0)", Expr("1.e5"));
        Assert.Equal("(Constant 1.5)", Expr("01.5"));
        Assert.Equal(double.PositiveInfinity, ((Constant)((ExprStmt)ParseOk("1e400").Body[0]).Value).Value);
    }

    [Fact]
    public void Numbers_RunningIntoKeywords_AreAllowedAsInCPython()
    {
        Assert.Equal("(IfExp (Constant 1) (Constant 1) (Constant 2))", Expr("1if 1 else 2"));
    }

    [Theory]
    [InlineData("x = 1abc", "1:5: invalid decimal literal")]
    [InlineData("x = 0123", "1:6: leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers")]
    [InlineData("x = 1_", "1:6: invalid decimal literal")]
    [InlineData("x = 1__0", "1:6: invalid decimal literal")]
    [InlineData("x = 0x", "1:6: invalid hexadecimal literal")]
    [InlineData("x = 0b2", "1:7: invalid digit '2' in binary literal")]
    [InlineData("x = 0o8", "1:7: invalid digit '8' in octal literal")]
    [InlineData("x = 0b12", "1:8: invalid digit '2' in binary literal")]
    [InlineData("x = 1e", "1:5: invalid decimal literal")]
    [InlineData("x = 1j", "1:5: complex numbers are not supported")]
    public void Numbers_Malformed_AreReported(string source, string expected) => Assert.Equal(expected, Error(source));

    [Fact]
    public void Strings_QuotesAndTripleQuotes()
    {
        Assert.Equal("(Constant \"abc\")", Expr("'abc'"));
        Assert.Equal("(Constant \"abc\")", Expr("\"abc\""));
        Assert.Equal("(Constant \"a\\nb'\\\"c\")", Expr("'''a\nb'\"c'''"));
        Assert.Equal("(Constant \"x\")", Expr("\"\"\"x\"\"\""));
        Assert.Equal("(Constant \"\")", Expr("''"));
    }

    [Fact]
    public void Strings_Escapes()
    {
        var value = ((Constant)((ExprStmt)ParseOk(@"'\n\t\\\'\""\r\0\x41\u00e9\U0001F600\101\q\
end'").Body[0]).Value).Value;
        Assert.Equal("\n\t\\'\"\r\0A\u00e9\U0001F600A\\qend", value);
    }

    [Fact]
    public void Strings_RawKeepsBackslashes()
    {
        var value = ((Constant)((ExprStmt)ParseOk(@"r'\n\'' + R""\d""").Body[0]).Value);
        Assert.Equal("(BinOp Add (Constant \"\\\\n\\\\'\") (Constant \"\\\\d\"))", AstDump.Dump(((ExprStmt)ParseOk(@"r'\n\'' + R""\d""").Body[0]).Value));
        Assert.NotNull(value);
    }

    [Fact]
    public void Strings_AdjacentLiteralsConcatenate()
    {
        Assert.Equal("(Constant \"abc\")", Expr("'a' \"b\" '''c'''"));
        Assert.Equal("(Constant \"ab\")", Expr("('a'\n  'b')"));
        Assert.Equal("(JoinedStr [(Constant \"ab\") (FormattedValue (Name x) - _) (Constant \"c\")])", Expr("'a' f'b{x}' 'c'"));
        Assert.Equal("(JoinedStr [(Constant \"ab\")])", Expr("'a' f'' 'b'"));
    }

    [Theory]
    [InlineData("x = \"abc\ny = 1", "1:5: unterminated string literal (detected at line 1)")]
    [InlineData("x = \"\"\"abc\ny = 1", "1:5: unterminated triple-quoted string literal (detected at line 2)")]
    [InlineData("x = b'abc'", "1:5: bytes literals are not supported")]
    [InlineData("x = '\\x4'", "1:6: (unicode error) 'unicodeescape' codec can't decode bytes in position 0-2: truncated \\xXX escape")]
    [InlineData("x = '\\U00110000'", "1:6: (unicode error) 'unicodeescape' codec can't decode bytes in position 0-9: illegal Unicode character")]
    [InlineData("x = '\\N{BULLET}'", "1:6: \\N{...} escapes are not supported")]
    public void Strings_Malformed_AreReported(string source, string expected) => Assert.Equal(expected, Error(source));

    [Fact]
    public void UnterminatedString_InsideCall_ReportsOnlyTheString()
    {
        Assert.Equal(["1:7: unterminated string literal (detected at line 1)"], Errors("x = f('abc)\ny = 2\n"));
    }

    [Fact]
    public void Comments_BlankLinesAndContinuations()
    {
        Assert.Equal("[(Assign [(Name x)] (BinOp Add (Constant 1) (Constant 2))) (Pass)]",
            Stmts("# leading comment\n\nx = 1 + \\\n    2  # trailing\n\n   \n# another\npass\n"));
        Assert.Equal("[(Assign [(Name x)] (List [(Constant 1) (Constant 2)]))]", Stmts("x = [\n  1,   # one\n\n  2,\n]"));
    }

    [Fact]
    public void Source_WithCarriageReturnsAndBom_Parses()
    {
        Assert.Equal("[(If (Name x) [(Pass)] [(Pass)])]", Stmts("\uFEFFif x:\r\n    pass\r\nelse:\r\n    pass\r\n"));
    }

    [Fact]
    public void Source_WithoutTrailingNewline_Parses()
    {
        Assert.Equal("[(If (Name x) [(Assign [(Name y)] (Constant 1))] [])]", Stmts("if x:\n    y = 1"));
    }

    [Fact]
    public void Identifiers_NonAscii()
    {
        Assert.Equal("(Name café)", Expr("café"));
        Assert.Equal("(Name π)", Expr("π"));
    }

    [Fact]
    public void Columns_CountCharactersNotUtf16Units()
    {
        var module = ParseOk("x = '\U0001F600' + y");
        var binOp = (BinOp)((Assign)module.Body[0]).Value;
        Assert.Equal(11, binOp.Right.Col);
    }

    [Theory]
    [InlineData("x = a $ b", "1:7: invalid syntax")]
    [InlineData("x = a ? b", "1:7: invalid syntax")]
    [InlineData("x = a → b", "1:7: invalid character '→' (U+2192)")]
    [InlineData("x = a\u00a0b", "1:6: invalid non-printable character U+00A0")]
    [InlineData("x = \\ y", "1:5: unexpected character after line continuation character")]
    [InlineData("x = 1 \\", "1:7: unexpected EOF while parsing")]
    public void Characters_Invalid_AreReported(string source, string expected) => Assert.Equal(expected, Error(source));

    // ---- indentation

    [Fact]
    public void Indentation_NestedBlocksAndDedentToAnyLevel()
    {
        Assert.Equal("[(If (Name a) [(If (Name b) [(Pass)] []) (Assign [(Name x)] (Constant 1))] []) (Assign [(Name y)] (Constant 2))]",
            Stmts("if a:\n    if b:\n        pass\n    x = 1\ny = 2\n"));
        Assert.Equal("[(If (Name a) [(If (Name b) [(Pass)] [])] []) (Pass)]", Stmts("if a:\n  if b:\n          pass\npass"));
    }

    [Fact]
    public void Indentation_Tab_IsAnError()
    {
        Assert.Equal("2:1: tab in indentation is not allowed", Error("if x:\n\ty = 1\n"));
        Assert.Equal("3:5: tab in indentation is not allowed", Error("if x:\n    y = 1\n    \tz = 1\n"));
    }

    [Fact]
    public void Indentation_TabInsideALine_IsFine()
    {
        Assert.Equal("[(Assign [(Name x)] (Constant 1))]", Stmts("x =\t1"));
    }

    [Fact]
    public void Indentation_InconsistentDedent_IsReported()
    {
        Assert.Equal("3:5: unindent does not match any outer indentation level", Error("def f():\n        x = 1\n    y = 2\n    z = 3\n"));
    }

    [Fact]
    public void Indentation_UnexpectedIndent()
    {
        Assert.Equal("2:5: unexpected indent", Error("x = 1\n    y = 2\n"));
    }

    [Theory]
    [InlineData("if x:\npass", "2:1: expected an indented block after 'if' statement on line 1")]
    [InlineData("if 1:\n    pass\nelif 2:\nx", "4:1: expected an indented block after 'elif' statement on line 3")]
    [InlineData("if 1:\n    pass\nelse:\nx", "4:1: expected an indented block after 'else' statement on line 3")]
    [InlineData("def f():\nx = 1", "2:1: expected an indented block after function definition on line 1")]
    [InlineData("class A:\nx = 1", "2:1: expected an indented block after class definition on line 1")]
    [InlineData("for x in y:\nx", "2:1: expected an indented block after 'for' statement on line 1")]
    [InlineData("while x:\nx", "2:1: expected an indented block after 'while' statement on line 1")]
    [InlineData("try:\nx", "2:1: expected an indented block after 'try' statement on line 1")]
    [InlineData("try:\n    pass\nexcept E as e:\nx", "4:1: expected an indented block after 'except' statement on line 3")]
    [InlineData("try:\n    pass\nfinally:\nx", "4:1: expected an indented block after 'finally' statement on line 3")]
    [InlineData("def f():\n    if x:\n    y = 1\n", "3:5: expected an indented block after 'if' statement on line 2")]
    public void Indentation_MissingBlock(string source, string expected) => Assert.Equal(expected, Error(source));
}

/// <summary>
/// Writes an AST as an S-expression: `(Node field...)`, lists in brackets, `_` for null. With
/// [positions], each node's name carries `@line:col`. Floats print as the shortest round-trip
/// text (Python-like for ordinary values) or, with [exactFloats], as their IEEE bits.
/// </summary>
internal static class AstDump
{
    public static string Dump(Node node, bool positions = false, bool exactFloats = false)
    {
        var sb = new StringBuilder();
        new Writer(sb, positions, exactFloats).Node(node);
        return sb.ToString();
    }

    public static string Body(List<Stmt> body, bool positions = false, bool exactFloats = false)
    {
        var sb = new StringBuilder();
        new Writer(sb, positions, exactFloats).List(body);
        return sb.ToString();
    }

    public static string Module(ModuleNode module, bool positions = false, bool exactFloats = false) =>
        "(Module " + Body(module.Body, positions, exactFloats) + ")";

    private sealed class Writer(StringBuilder sb, bool positions, bool exactFloats)
    {
        public void List<T>(IEnumerable<T> items) where T : Node?
        {
            sb.Append('[');
            bool first = true;
            foreach (var item in items)
            {
                if (!first)
                    sb.Append(' ');
                first = false;
                Node(item);
            }
            sb.Append(']');
        }

        private void Open(string name, Node node, bool withPosition = true)
        {
            sb.Append('(').Append(name);
            if (positions && withPosition)
                sb.Append('@').Append(node.Line).Append(':').Append(node.Col);
        }

        private void Field(Node? node)
        {
            sb.Append(' ');
            Node(node);
        }

        private void Field<T>(List<T> nodes) where T : Node?
        {
            sb.Append(' ');
            List(nodes);
        }

        private void Text(string? text) => sb.Append(' ').Append(text ?? "_");

        public void Node(Node? node)
        {
            switch (node)
            {
                case null: sb.Append('_'); return;
                case Name n: Open("Name", n); Text(n.Id); break;
                case Constant c: Open("Constant", c); sb.Append(' ').Append(Value(c.Value)); break;
                case JoinedStr j:
                    // Parts of an f-string carry no positions in the comparison: CPython 3.11
                    // gives them all the position of the whole string.
                    Open("JoinedStr", j, false);
                    sb.Append(" [");
                    for (int i = 0; i < j.Values.Count; i++)
                    {
                        if (i > 0)
                            sb.Append(' ');
                        if (j.Values[i] is Constant c)
                            sb.Append("(Constant ").Append(Value(c.Value)).Append(')');
                        else
                            Node(j.Values[i]);
                    }
                    sb.Append(']');
                    break;
                case FormattedValue f:
                    Open("FormattedValue", f, false);
                    Field(f.Value);
                    Text(f.Conversion == '\0' ? "-" : f.Conversion.ToString());
                    Field(f.FormatSpec);
                    break;
                case BinOp b: Open("BinOp", b); Text(b.Op.ToString()); Field(b.Left); Field(b.Right); break;
                case UnaryOp u: Open("UnaryOp", u); Text(u.Op.ToString()); Field(u.Operand); break;
                case BoolOp b: Open("BoolOp", b); Text(b.IsAnd ? "And" : "Or"); Field(b.Values); break;
                case Compare c:
                    Open("Compare", c);
                    Field(c.Left);
                    sb.Append(" [").Append(string.Join(" ", c.Ops)).Append(']');
                    Field(c.Comparators);
                    break;
                case IfExp i: Open("IfExp", i); Field(i.Test); Field(i.Body); Field(i.OrElse); break;
                case Lambda l: Open("Lambda", l); sb.Append(' '); Arguments(l.Args); Field(l.Body); break;
                case Call c: Open("Call", c); Field(c.Func); Field(c.Args); Field(c.Keywords); break;
                case Keyword k: Open("keyword", k); Text(k.Arg); Field(k.Value); break;
                case Attribute a: Open("Attribute", a); Field(a.Value); Text(a.Attr); break;
                case Subscript s: Open("Subscript", s); Field(s.Value); Field(s.Index); break;
                case Slice s: Open("Slice", s); Field(s.Lower); Field(s.Upper); Field(s.Step); break;
                case Starred s: Open("Starred", s); Field(s.Value); break;
                case ListExpr l: Open("List", l); Field(l.Elts); break;
                case TupleExpr t: Open("Tuple", t); Field(t.Elts); break;
                case DictExpr d: Open("Dict", d); Field(d.Keys); Field(d.Values); break;
                case Comprehension c: Open("comprehension", c, false); Field(c.Target); Field(c.Iter); Field(c.Ifs); break;
                case ListComp l: Open("ListComp", l); Field(l.Elt); Field(l.Generators); break;
                case DictComp d: Open("DictComp", d); Field(d.Key); Field(d.Value); Field(d.Generators); break;
                case GeneratorExp g: Open("GeneratorExp", g); Field(g.Elt); Field(g.Generators); break;
                case Yield y: Open("Yield", y); Field(y.Value); break;
                case YieldFrom y: Open("YieldFrom", y); Field(y.Value); break;
                case Await a: Open("Await", a); Field(a.Value); break;
                case Param p: Open("arg", p); Text(p.Name); Field(p.Default); break;
                case ExprStmt e: Open("Expr", e); Field(e.Value); break;
                case Assign a: Open("Assign", a); Field(a.Targets); Field(a.Value); break;
                case AugAssign a: Open("AugAssign", a); Field(a.Target); Text(a.Op.ToString()); Field(a.Value); break;
                case If i: Open("If", i); Field(i.Test); Field(i.Body); Field(i.OrElse); break;
                case While w: Open("While", w); Field(w.Test); Field(w.Body); Field(w.OrElse); break;
                case For f: Open("For", f); Field(f.Target); Field(f.Iter); Field(f.Body); Field(f.OrElse); break;
                case Break b: Open("Break", b); break;
                case Continue c: Open("Continue", c); break;
                case Pass p: Open("Pass", p); break;
                case FunctionDef f: Open("FunctionDef", f); Text(f.Name); sb.Append(' '); Arguments(f.Args); Field(f.Body); break;
                case Return r: Open("Return", r); Field(r.Value); break;
                case ClassDef c: Open("ClassDef", c); Text(c.Name); Field(c.Bases); Field(c.Body); break;
                case ExceptHandler h: Open("ExceptHandler", h); Field(h.Type); Text(h.Name); Field(h.Body); break;
                case Try t: Open("Try", t); Field(t.Body); Field(t.Handlers); Field(t.OrElse); Field(t.FinalBody); break;
                case Raise r: Open("Raise", r); Field(r.Exc); Field(r.Cause); break;
                case AssertStmt a: Open("Assert", a); Field(a.Test); Field(a.Msg); break;
                case Delete d: Open("Delete", d); Field(d.Targets); break;
                case Global g: Open("Global", g); sb.Append(" [").Append(string.Join(" ", g.Names)).Append(']'); break;
                case Nonlocal n: Open("Nonlocal", n); sb.Append(" [").Append(string.Join(" ", n.Names)).Append(']'); break;
                case Alias a: Open("alias", a); Text(a.Name); Text(a.AsName); break;
                case Import i: Open("Import", i); Field(i.Names); break;
                case ImportFrom i: Open("ImportFrom", i); Text(i.Module); Field(i.Names); break;
                default: throw new InvalidOperationException($"unknown node {node.GetType().Name}");
            }
            sb.Append(')');
        }

        private void Arguments(Arguments a)
        {
            sb.Append("(arguments ");
            List(a.Positional);
            sb.Append(' ').Append(a.VarArg ?? "_").Append(' ');
            List(a.KwOnly);
            sb.Append(' ').Append(a.KwArg ?? "_").Append(')');
        }

        private string Value(object? value) => value switch
        {
            null => "None",
            true => "True",
            false => "False",
            long l => l.ToString(CultureInfo.InvariantCulture),
            BigInteger b => b.ToString(CultureInfo.InvariantCulture),
            double d => exactFloats ? $"float:{BitConverter.DoubleToInt64Bits(d)}" : FormatDouble(d),
            string s => Quote(s),
            _ => $"<{value.GetType().Name}>",
        };

        private static string FormatDouble(double d)
        {
            if (double.IsFinite(d) && d == Math.Floor(d) && Math.Abs(d) < 1e15)
                return d.ToString("F1", CultureInfo.InvariantCulture);
            return d.ToString("R", CultureInfo.InvariantCulture).ToLowerInvariant();
        }

        // Printable ASCII as is; everything else as \uXXXX of its UTF-16 units, so that the
        // Python side of the oracle can produce exactly the same text.
        private static string Quote(string s)
        {
            var sb = new StringBuilder("\"");
            foreach (char c in s)
            {
                if (c is '"' or '\\')
                    sb.Append('\\').Append(c);
                else if (c == '\n')
                    sb.Append("\\n");
                else if (c is >= ' ' and <= '~')
                    sb.Append(c);
                else
                    sb.Append("\\u").Append(((int)c).ToString("x4"));
            }
            return sb.Append('"').ToString();
        }
    }
}
