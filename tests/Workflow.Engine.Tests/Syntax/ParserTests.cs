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
        Assert.Equal("(Constant \"\\\\n\\\\'\")", Expr(@"r'\n\''"));
        Assert.Equal("(Constant \"\\\\d\")", Expr(@"R""\d"""));
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

    // ---- expressions

    [Theory]
    [InlineData("-2 ** 2", "(UnaryOp USub (BinOp Pow (Constant 2) (Constant 2)))")]
    [InlineData("2 ** -1", "(BinOp Pow (Constant 2) (UnaryOp USub (Constant 1)))")]
    [InlineData("2 ** 3 ** 2", "(BinOp Pow (Constant 2) (BinOp Pow (Constant 3) (Constant 2)))")]
    [InlineData("await x ** 2", "(BinOp Pow (Await (Name x)) (Constant 2))")]
    [InlineData("-await x", "(UnaryOp USub (Await (Name x)))")]
    [InlineData("await f(x).y", "(Await (Attribute (Call (Name f) [(Name x)] []) y))")]
    [InlineData("1 + 2 * 3 - 4", "(BinOp Sub (BinOp Add (Constant 1) (BinOp Mult (Constant 2) (Constant 3))) (Constant 4))")]
    [InlineData("a / b // c % d @ e", "(BinOp MatMult (BinOp Mod (BinOp FloorDiv (BinOp Div (Name a) (Name b)) (Name c)) (Name d)) (Name e))")]
    [InlineData("a | b ^ c & d << e + f", "(BinOp BitOr (Name a) (BinOp BitXor (Name b) (BinOp BitAnd (Name c) (BinOp LShift (Name d) (BinOp Add (Name e) (Name f))))))")]
    [InlineData("a >> b << c", "(BinOp LShift (BinOp RShift (Name a) (Name b)) (Name c))")]
    [InlineData("~-+a", "(UnaryOp Invert (UnaryOp USub (UnaryOp UAdd (Name a))))")]
    [InlineData("not a == b", "(UnaryOp Not (Compare (Name a) [Eq] [(Name b)]))")]
    [InlineData("not not a", "(UnaryOp Not (UnaryOp Not (Name a)))")]
    [InlineData("a or b and c or d", "(BoolOp Or [(Name a) (BoolOp And [(Name b) (Name c)]) (Name d)])")]
    [InlineData("a and not b", "(BoolOp And [(Name a) (UnaryOp Not (Name b))])")]
    [InlineData("a < b <= c", "(Compare (Name a) [Lt LtE] [(Name b) (Name c)])")]
    [InlineData("a == b != c > d >= e", "(Compare (Name a) [Eq NotEq Gt GtE] [(Name b) (Name c) (Name d) (Name e)])")]
    [InlineData("a in b not in c is d is not e", "(Compare (Name a) [In NotIn Is IsNot] [(Name b) (Name c) (Name d) (Name e)])")]
    [InlineData("a | b < c", "(Compare (BinOp BitOr (Name a) (Name b)) [Lt] [(Name c)])")]
    [InlineData("a if b else c", "(IfExp (Name b) (Name a) (Name c))")]
    [InlineData("a if b else c if d else e", "(IfExp (Name b) (Name a) (IfExp (Name d) (Name c) (Name e)))")]
    [InlineData("x or y if c else z", "(IfExp (Name c) (BoolOp Or [(Name x) (Name y)]) (Name z))")]
    public void Expressions_Precedence(string source, string expected) => Assert.Equal(expected, Expr(source));

    [Theory]
    [InlineData("lambda: 0", "(Lambda (arguments [] _ [] _) (Constant 0))")]
    [InlineData("lambda x, y=1: x", "(Lambda (arguments [(arg x _) (arg y (Constant 1))] _ [] _) (Name x))")]
    [InlineData("lambda *a, k, **kw: a", "(Lambda (arguments [] a [(arg k _)] kw) (Name a))")]
    [InlineData("lambda *, k=2: k", "(Lambda (arguments [] _ [(arg k (Constant 2))] _) (Name k))")]
    [InlineData("lambda x: lambda: x", "(Lambda (arguments [(arg x _)] _ [] _) (Lambda (arguments [] _ [] _) (Name x)))")]
    [InlineData("lambda: a if b else c", "(Lambda (arguments [] _ [] _) (IfExp (Name b) (Name a) (Name c)))")]
    [InlineData("lambda: (yield)", "(Lambda (arguments [] _ [] _) (Yield _))")]
    public void Expressions_Lambda(string source, string expected) => Assert.Equal(expected, Expr(source));

    [Theory]
    [InlineData("f()", "(Call (Name f) [] [])")]
    [InlineData("f(a, b,)", "(Call (Name f) [(Name a) (Name b)] [])")]
    [InlineData("f(a, k=1)", "(Call (Name f) [(Name a)] [(keyword k (Constant 1))])")]
    [InlineData("f(*a, **k)", "(Call (Name f) [(Starred (Name a))] [(keyword _ (Name k))])")]
    [InlineData("f(a, *b, c=1, *d, **e)", "(Call (Name f) [(Name a) (Starred (Name b)) (Starred (Name d))] [(keyword c (Constant 1)) (keyword _ (Name e))])")]
    [InlineData("f(**a, b=1)", "(Call (Name f) [] [(keyword _ (Name a)) (keyword b (Constant 1))])")]
    [InlineData("f(x for x in y)", "(Call (Name f) [(GeneratorExp (Name x) [(comprehension (Name x) (Name y) [])])] [])")]
    [InlineData("f((x for x in y), 1)", "(Call (Name f) [(GeneratorExp (Name x) [(comprehension (Name x) (Name y) [])]) (Constant 1)] [])")]
    [InlineData("f(a == 1)", "(Call (Name f) [(Compare (Name a) [Eq] [(Constant 1)])] [])")]
    [InlineData("a.b.c", "(Attribute (Attribute (Name a) b) c)")]
    [InlineData("a.b(c)[d].e", "(Attribute (Subscript (Call (Attribute (Name a) b) [(Name c)] []) (Name d)) e)")]
    [InlineData("f(x)(y)", "(Call (Call (Name f) [(Name x)] []) [(Name y)] [])")]
    [InlineData("'a b'.split()", "(Call (Attribute (Constant \"a b\") split) [] [])")]
    public void Expressions_CallsAndAttributes(string source, string expected) => Assert.Equal(expected, Expr(source));

    [Theory]
    [InlineData("a[0]", "(Subscript (Name a) (Constant 0))")]
    [InlineData("a[-1]", "(Subscript (Name a) (UnaryOp USub (Constant 1)))")]
    [InlineData("a[1:2]", "(Subscript (Name a) (Slice (Constant 1) (Constant 2) _))")]
    [InlineData("a[::2]", "(Subscript (Name a) (Slice _ _ (Constant 2)))")]
    [InlineData("a[:]", "(Subscript (Name a) (Slice _ _ _))")]
    [InlineData("a[1:]", "(Subscript (Name a) (Slice (Constant 1) _ _))")]
    [InlineData("a[:2]", "(Subscript (Name a) (Slice _ (Constant 2) _))")]
    [InlineData("a[1:2:3]", "(Subscript (Name a) (Slice (Constant 1) (Constant 2) (Constant 3)))")]
    [InlineData("a[1:2, 3]", "(Subscript (Name a) (Tuple [(Slice (Constant 1) (Constant 2) _) (Constant 3)]))")]
    [InlineData("a[1, 2]", "(Subscript (Name a) (Tuple [(Constant 1) (Constant 2)]))")]
    [InlineData("a[1,]", "(Subscript (Name a) (Tuple [(Constant 1)]))")]
    [InlineData("a[x if y else z:]", "(Subscript (Name a) (Slice (IfExp (Name y) (Name x) (Name z)) _ _))")]
    public void Expressions_SubscriptsAndSlices(string source, string expected) => Assert.Equal(expected, Expr(source));

    [Theory]
    [InlineData("()", "(Tuple [])")]
    [InlineData("(1,)", "(Tuple [(Constant 1)])")]
    [InlineData("(1, 2)", "(Tuple [(Constant 1) (Constant 2)])")]
    [InlineData("1, 2", "(Tuple [(Constant 1) (Constant 2)])")]
    [InlineData("1,", "(Tuple [(Constant 1)])")]
    [InlineData("(1)", "(Constant 1)")]
    [InlineData("((a))", "(Name a)")]
    [InlineData("[]", "(List [])")]
    [InlineData("[1, 2,]", "(List [(Constant 1) (Constant 2)])")]
    [InlineData("[*a, *b, c]", "(List [(Starred (Name a)) (Starred (Name b)) (Name c)])")]
    [InlineData("(*a, b)", "(Tuple [(Starred (Name a)) (Name b)])")]
    [InlineData("*a, b", "(Tuple [(Starred (Name a)) (Name b)])")]
    [InlineData("{}", "(Dict [] [])")]
    [InlineData("{'a': 1, **d, 'b': 2,}", "(Dict [(Constant \"a\") _ (Constant \"b\")] [(Constant 1) (Name d) (Constant 2)])")]
    [InlineData("{**d}", "(Dict [_] [(Name d)])")]
    [InlineData("None, True, False", "(Tuple [(Constant None) (Constant True) (Constant False)])")]
    public void Expressions_Displays(string source, string expected) => Assert.Equal(expected, Expr(source));

    [Theory]
    [InlineData("[x for x in y]", "(ListComp (Name x) [(comprehension (Name x) (Name y) [])])")]
    [InlineData("[x * y for x in a for y in b if x if y > 1]",
        "(ListComp (BinOp Mult (Name x) (Name y)) [(comprehension (Name x) (Name a) []) (comprehension (Name y) (Name b) [(Name x) (Compare (Name y) [Gt] [(Constant 1)])])])")]
    [InlineData("[(a, b) for a, b in pairs]", "(ListComp (Tuple [(Name a) (Name b)]) [(comprehension (Tuple [(Name a) (Name b)]) (Name pairs) [])])")]
    [InlineData("[x for x, in y]", "(ListComp (Name x) [(comprehension (Tuple [(Name x)]) (Name y) [])])")]
    [InlineData("{k: v for k, v in d.items()}", "(DictComp (Name k) (Name v) [(comprehension (Tuple [(Name k) (Name v)]) (Call (Attribute (Name d) items) [] []) [])])")]
    [InlineData("(x for x in y if not x)", "(GeneratorExp (Name x) [(comprehension (Name x) (Name y) [(UnaryOp Not (Name x))])])")]
    [InlineData("[x for x in a or b]", "(ListComp (Name x) [(comprehension (Name x) (BoolOp Or [(Name a) (Name b)]) [])])")]
    [InlineData("[x for x in y if a if b]", "(ListComp (Name x) [(comprehension (Name x) (Name y) [(Name a) (Name b)])])")]
    [InlineData("[y for x in z for y in x]", "(ListComp (Name y) [(comprehension (Name x) (Name z) []) (comprehension (Name y) (Name x) [])])")]
    [InlineData("[[x for x in r] for r in m]", "(ListComp (ListComp (Name x) [(comprehension (Name x) (Name r) [])]) [(comprehension (Name r) (Name m) [])])")]
    public void Expressions_Comprehensions(string source, string expected) => Assert.Equal(expected, Expr(source));

    [Fact]
    public void Expressions_Yield()
    {
        Assert.Equal("[(FunctionDef g (arguments [] _ [] _) [(Expr (Yield _)) (Expr (Yield (Name x))) (Expr (Yield (Tuple [(Name a) (Name b)]))) "
            + "(Expr (YieldFrom (Name xs))) (Assign [(Name y)] (Yield _)) (Assign [(Name z)] (YieldFrom (Call (Name g) [] []))) "
            + "(Assign [(Name w)] (BinOp Add (Yield (Name v)) (Constant 1))) (AugAssign (Name n) Add (Yield _))])]",
            Stmts("def g():\n    yield\n    yield x\n    yield a, b\n    yield from xs\n    y = yield\n    z = yield from g()\n    w = (yield v) + 1\n    n += yield\n"));
    }

    // ---- statements

    [Fact]
    public void Statements_Assignments()
    {
        Assert.Equal("[(Assign [(Name a) (Name b)] (Constant 1))]", Stmts("a = b = 1"));
        Assert.Equal("[(Assign [(Tuple [(Name a) (Starred (Name rest))])] (Name xs))]", Stmts("a, *rest = xs"));
        Assert.Equal("[(Assign [(List [(Name a) (Tuple [(Name b) (Name c)])])] (Name v))]", Stmts("[a, (b, c)] = v"));
        Assert.Equal("[(Assign [(Attribute (Name x) y) (Subscript (Name z) (Constant 0))] (Tuple [(Constant 1) (Constant 2)]))]",
            Stmts("x.y = z[0] = 1, 2"));
        Assert.Equal("[(Assign [(Name x)] (Tuple [(Starred (Name a)) (Starred (Name b))]))]", Stmts("x = *a, *b"));
        Assert.Equal("[(Assign [(Tuple [(Name a)])] (Name b))]", Stmts("a, = b"));
    }

    [Fact]
    public void Statements_AugmentedAssignments_AllOperators()
    {
        string[] ops = ["+=", "-=", "*=", "/=", "//=", "%=", "**=", "<<=", ">>=", "&=", "|=", "^=", "@="];
        string[] names = ["Add", "Sub", "Mult", "Div", "FloorDiv", "Mod", "Pow", "LShift", "RShift", "BitAnd", "BitOr", "BitXor", "MatMult"];
        for (int i = 0; i < ops.Length; i++)
            Assert.Equal($"[(AugAssign (Name x) {names[i]} (Constant 1))]", Stmts($"x {ops[i]} 1"));
        Assert.Equal("[(AugAssign (Attribute (Name a) b) Add (Tuple [(Constant 1) (Constant 2)]))]", Stmts("a.b += 1, 2"));
    }

    [Fact]
    public void Statements_AnnotatedAssignment_BecomesPlainAssignmentOrNothing()
    {
        Assert.Equal("[(Assign [(Name x)] (Constant 1)) (Assign [(Attribute (Name a) b)] (Constant 2))]",
            Stmts("x: int = 1\ny: list[int]\na.b: 'str' = 2"));
    }

    [Fact]
    public void Statements_IfElifElse()
    {
        Assert.Equal("[(If (Name a) [(Pass)] [(If (Name b) [(Break)] [(If (Name c) [(Continue)] [(Pass)])])])]",
            Stmts("if a:\n    pass\nelif b:\n    break\nelif c:\n    continue\nelse:\n    pass\n"));
    }

    [Fact]
    public void Statements_Loops()
    {
        Assert.Equal("[(While (Name x) [(Pass)] [(Assign [(Name y)] (Constant 1))])]", Stmts("while x:\n    pass\nelse:\n    y = 1\n"));
        Assert.Equal("[(For (Tuple [(Name i) (Name v)]) (Call (Name enumerate) [(Name xs)] []) [(Pass)] [(Pass)])]",
            Stmts("for i, v in enumerate(xs):\n    pass\nelse:\n    pass\n"));
        Assert.Equal("[(For (Name x) (Tuple [(Starred (Name a)) (Name b)]) [(Pass)] [])]", Stmts("for x in *a, b: pass"));
        Assert.Equal("[(For (Tuple [(Name a) (Starred (Name b))]) (Name c) [(Pass)] [])]", Stmts("for a, *b in c: pass"));
        Assert.Equal("[(For (Attribute (Name self) x) (Name y) [(Pass)] [])]", Stmts("for self.x in y: pass"));
    }

    [Fact]
    public void Statements_FunctionDefinitions()
    {
        Assert.Equal("[(FunctionDef f (arguments [(arg a _) (arg b (Constant 1))] args [(arg c _) (arg d (Constant 2))] kw) [(Return (Name a))])]",
            Stmts("def f(a, b=1, *args, c, d=2, **kw):\n    return a\n"));
        Assert.Equal("[(FunctionDef f (arguments [(arg a _)] _ [(arg b (Constant \"x\"))] _) [(Return _)])]",
            Stmts("def f(a: int, *, b: str = 'x') -> None:\n    return\n"));
        Assert.Equal("[(FunctionDef f (arguments [(arg a _)] _ [] _) [(Pass)])]", Stmts("def f(a,): pass"));
        Assert.Equal("[(FunctionDef f (arguments [] a [] _) [(Pass)])]", Stmts("def f(*a: int,): pass"));
        Assert.Equal("[(FunctionDef f (arguments [] _ [] k) [(Pass)])]", Stmts("def f(**k,): pass"));
        Assert.Equal("[(FunctionDef f (arguments [] _ [] _) [(Return (Tuple [(Starred (Name a)) (Name b)]))])]",
            Stmts("def f(): return *a, b"));
        Assert.Equal("[(FunctionDef outer (arguments [] _ [] _) [(FunctionDef inner (arguments [] _ [] _) [(Nonlocal [n]) (Global [g h])])])]",
            Stmts("def outer():\n    def inner():\n        nonlocal n\n        global g, h\n"));
    }

    [Fact]
    public void Statements_ClassDefinitions()
    {
        Assert.Equal("[(ClassDef A [] [(Pass)]) (ClassDef B [] [(Pass)]) (ClassDef C [(Name A)] [(Assign [(Name x)] (Constant 1))]) (ClassDef D [(Name A) (Attribute (Name m) B)] [(Pass)])]",
            Stmts("class A: pass\nclass B(): pass\nclass C(A):\n    x = 1\nclass D(A, m.B):\n    pass\n"));
    }

    [Fact]
    public void Statements_Try()
    {
        Assert.Equal("[(Try [(Pass)] [(ExceptHandler (Name ValueError) _ [(Pass)]) (ExceptHandler (Tuple [(Name A) (Name B)]) e [(Raise (Call (Name C) [] []) (Name e))]) "
            + "(ExceptHandler _ _ [(Raise _ _)])] [(Pass)] [(Pass)])]",
            Stmts("try:\n    pass\nexcept ValueError:\n    pass\nexcept (A, B) as e:\n    raise C() from e\nexcept:\n    raise\nelse:\n    pass\nfinally:\n    pass\n"));
        Assert.Equal("[(Try [(Pass)] [] [] [(Pass)])]", Stmts("try:\n    pass\nfinally:\n    pass\n"));
    }

    [Fact]
    public void Statements_Simple()
    {
        Assert.Equal("[(Raise (Name E) _) (Assert (Name x) _) (Assert (Name x) (Constant \"m\")) (Delete [(Name a) (Subscript (Name b) (Constant 0)) (Attribute (Name c) d)]) "
            + "(Delete [(Tuple [(Name a) (Name b)]) (List [(Name c)])]) (Pass) (Expr (Call (Name f) [] []))]",
            Stmts("raise E\nassert x\nassert x, 'm'\ndel a, b[0], c.d\ndel (a, b), [c]\npass; f();\n"));
    }

    [Fact]
    public void Statements_Imports()
    {
        Assert.Equal("[(Import [(alias a _)]) (Import [(alias a.b c) (alias d _)]) (ImportFrom m [(alias a _) (alias b c)]) (ImportFrom m.n [(alias x _) (alias y z)])]",
            Stmts("import a\nimport a.b as c, d\nfrom m import a, b as c\nfrom m.n import (x,\n    y as z,)\n"));
    }

    [Fact]
    public void Statements_OneLineBodies()
    {
        Assert.Equal("[(If (Name x) [(Assign [(Name y)] (Constant 1)) (Assign [(Name z)] (Constant 2))] [(Pass)]) (While (Name w) [(Break)] []) (FunctionDef f (arguments [] _ [] _) [(Return (Constant 1))])]",
            Stmts("if x: y = 1; z = 2\nelse: pass\nwhile w: break\ndef f(): return 1\n"));
    }

    [Fact]
    public void SoftKeywords_AreOrdinaryNames()
    {
        Assert.Equal("[(Assign [(Name match)] (Constant 3)) (Expr (Call (Name match) [(Name x)] [])) (Assign [(Attribute (Name match) y)] (Constant 1)) (Assign [(Name case)] (Name _))]",
            Stmts("match = 3\nmatch(x)\nmatch.y = 1\ncase = _\n"));
    }

    [Fact]
    public void StacklessForms_ParseAsOrdinaryCalls()
    {
        Assert.Equal("[(FunctionDef main (arguments [(arg input _)] _ [] _) [(Assign [(Tuple [(Name i) (Name v)])] (Await (Call (Name first) [(Call (Name signal) [(Constant \"go\")] []) (Call (Name sleep) [(Call (Name hours) [(Constant 2)] [])] [])] []))) "
            + "(Expr (Call (Name spawn) [(Name worker) (Name ch)] [(keyword retries (Constant 3))]))])]",
            Stmts("def main(input):\n    i, v = await first(signal('go'), sleep(hours(2)))\n    spawn(worker, ch, retries=3)\n"));
    }

    // ---- positions

    [Fact]
    public void Positions_AreThoseOfTheFirstToken()
    {
        var module = ParseOk("x = (a) + b.c(d)[e]\n  # comment\nif y:\n    z = -f(*g, k=h)\n");
        Assert.Equal(
            "[(Assign@1:1 [(Name@1:1 x)] (BinOp@1:5 Add (Name@1:6 a) (Subscript@1:11 (Call@1:11 (Attribute@1:11 (Name@1:11 b) c) [(Name@1:15 d)] []) (Name@1:18 e)))) "
            + "(If@3:1 (Name@3:4 y) [(Assign@4:5 [(Name@4:5 z)] (UnaryOp@4:9 USub (Call@4:10 (Name@4:10 f) [(Starred@4:12 (Name@4:13 g))] [(keyword@4:16 k (Name@4:18 h))])))] [])]",
            AstDump.Body(module.Body, positions: true));
    }

    [Fact]
    public void Positions_OfDisplaysAndComprehensions()
    {
        var module = ParseOk("t = (1, 2), [x for x in y], {1: 2}\nf(x for x in y)\n");
        Assert.Equal(
            "[(Assign@1:1 [(Name@1:1 t)] (Tuple@1:5 [(Tuple@1:5 [(Constant@1:6 1) (Constant@1:9 2)]) (ListComp@1:13 (Name@1:14 x) [(comprehension (Name@1:20 x) (Name@1:25 y) [])]) (Dict@1:29 [(Constant@1:30 1)] [(Constant@1:33 2)])])) "
            + "(Expr@2:1 (Call@2:1 (Name@2:1 f) [(GeneratorExp@2:2 (Name@2:3 x) [(comprehension (Name@2:9 x) (Name@2:14 y) [])])] []))]",
            AstDump.Body(module.Body, positions: true));
    }

    [Fact]
    public void Positions_InsideFStringsAreThoseOfTheSource()
    {
        var module = ParseOk("s = (f'ab{ c + d }'\n     f'{e}')\n");
        var joined = (JoinedStr)((Assign)module.Body[0]).Value;
        var first = (FormattedValue)joined.Values[1];
        var second = (FormattedValue)joined.Values[2];
        Assert.Equal((1, 12), (first.Value.Line, first.Value.Col));
        Assert.Equal((1, 16), (((BinOp)first.Value).Right.Line, ((BinOp)first.Value).Right.Col));
        Assert.Equal((2, 9), (second.Value.Line, second.Value.Col));
    }

    // ---- f-strings

    [Theory]
    [InlineData("f'{x}'", "(JoinedStr [(FormattedValue (Name x) - _)])")]
    [InlineData("f'a{x!r}b'", "(JoinedStr [(Constant \"a\") (FormattedValue (Name x) r _) (Constant \"b\")])")]
    [InlineData("f'{x!s}{y!a}'", "(JoinedStr [(FormattedValue (Name x) s _) (FormattedValue (Name y) a _)])")]
    [InlineData("f'{x:.2f}'", "(JoinedStr [(FormattedValue (Name x) - (JoinedStr [(Constant \".2f\")]))])")]
    [InlineData("f'{n:>5}{n:,}'", "(JoinedStr [(FormattedValue (Name n) - (JoinedStr [(Constant \">5\")])) (FormattedValue (Name n) - (JoinedStr [(Constant \",\")]))])")]
    [InlineData("f'{x:{w}.{p}f}'", "(JoinedStr [(FormattedValue (Name x) - (JoinedStr [(FormattedValue (Name w) - _) (Constant \".\") (FormattedValue (Name p) - _) (Constant \"f\")]))])")]
    [InlineData("f'{x!r:^{w}}'", "(JoinedStr [(FormattedValue (Name x) r (JoinedStr [(Constant \"^\") (FormattedValue (Name w) - _)]))])")]
    [InlineData("f'{x:}'", "(JoinedStr [(FormattedValue (Name x) - (JoinedStr []))])")]
    [InlineData("f'{{a}} {{{x}}}'", "(JoinedStr [(Constant \"{a} {\") (FormattedValue (Name x) - _) (Constant \"}\")])")]
    [InlineData("f''", "(JoinedStr [])")]
    [InlineData("f'{x=}'", "(JoinedStr [(Constant \"x=\") (FormattedValue (Name x) r _)])")]
    [InlineData("f'{ x = }'", "(JoinedStr [(Constant \" x = \") (FormattedValue (Name x) r _)])")]
    [InlineData("f'{x=:>5}'", "(JoinedStr [(Constant \"x=\") (FormattedValue (Name x) - (JoinedStr [(Constant \">5\")]))])")]
    [InlineData("f'{a != b}{a <= b}'", "(JoinedStr [(FormattedValue (Compare (Name a) [NotEq] [(Name b)]) - _) (FormattedValue (Compare (Name a) [LtE] [(Name b)]) - _)])")]
    [InlineData("f'{d[\"k\"]}'", "(JoinedStr [(FormattedValue (Subscript (Name d) (Constant \"k\")) - _)])")]
    [InlineData("f\"{d['k']!r}\"", "(JoinedStr [(FormattedValue (Subscript (Name d) (Constant \"k\")) r _)])")]
    [InlineData("f'{x, y}'", "(JoinedStr [(FormattedValue (Tuple [(Name x) (Name y)]) - _)])")]
    [InlineData("f'{a if b else c}'", "(JoinedStr [(FormattedValue (IfExp (Name b) (Name a) (Name c)) - _)])")]
    [InlineData("f'{(lambda: 1)()}'", "(JoinedStr [(FormattedValue (Call (Lambda (arguments [] _ [] _) (Constant 1)) [] []) - _)])")]
    [InlineData("f'{f\"{x}\"}'", "(JoinedStr [(FormattedValue (JoinedStr [(FormattedValue (Name x) - _)]) - _)])")]
    [InlineData("f'\\t{x}\\n'", "(JoinedStr [(Constant \"\\u0009\") (FormattedValue (Name x) - _) (Constant \"\\n\")])")]
    [InlineData("rf'\\d{x}'", "(JoinedStr [(Constant \"\\\\d\") (FormattedValue (Name x) - _)])")]
    [InlineData("f'''{\n  x +\n  y\n}'''", "(JoinedStr [(FormattedValue (BinOp Add (Name x) (Name y)) - _)])")]
    [InlineData("F'{x}' f'{y}' 'z'", "(JoinedStr [(FormattedValue (Name x) - _) (FormattedValue (Name y) - _) (Constant \"z\")])")]
    [InlineData("f'{ {\"a\": 1}[\"a\"] }'", "(JoinedStr [(FormattedValue (Subscript (Dict [(Constant \"a\")] [(Constant 1)]) (Constant \"a\")) - _)])")]
    public void FStrings(string source, string expected) => Assert.Equal(expected, Expr(source));

    [Theory]
    [InlineData("x = f'{a b}'", "1:8: f-string: invalid syntax. Perhaps you forgot a comma?")]
    [InlineData("x = f'{}'", "1:8: f-string: empty expression not allowed")]
    [InlineData("x = f'{ }'", "1:9: f-string: empty expression not allowed")]
    [InlineData("x = f'{!r}'", "1:8: f-string: expression required before '!'")]
    [InlineData("x = f'{x!z}'", "1:10: f-string: invalid conversion character: expected 's', 'r', or 'a'")]
    [InlineData("x = f'{a'", "1:9: f-string: expecting '}'")]
    [InlineData("x = f'}'", "1:7: f-string: single '}' is not allowed")]
    [InlineData("x = f'{a\\n}'", "1:9: f-string expression part cannot include a backslash")]
    [InlineData("x = f'{a#}'", "1:9: f-string expression part cannot include '#'")]
    [InlineData("x = f'{x:{y:{z}}}'", "1:13: f-string: expressions nested too deeply")]
    [InlineData("x = f'{a)}'", "1:9: f-string: unmatched ')'")]
    [InlineData("x = f'{a(}'", "1:10: f-string: closing parenthesis '}' does not match opening parenthesis '('")]
    [InlineData("x = f'{*a}'", "1:8: f-string: cannot use starred expression here")]
    [InlineData("x = f'{a['b']}'", "1:10: f-string: unmatched '['")]
    [InlineData("x = f'{lambda x: 1}'", "1:16: f-string: invalid syntax")]
    public void FStrings_Malformed(string source, string expected) => Assert.Equal(expected, Errors(source)[0]);

    // ---- errors

    [Theory]
    [InlineData("if x\n    pass", "1:5: expected ':'")]
    [InlineData("while x\n    pass", "1:8: expected ':'")]
    [InlineData("def f()\n    pass", "1:8: expected ':'")]
    [InlineData("class A\n    pass", "1:8: expected ':'")]
    [InlineData("try\n    pass", "1:4: expected ':'")]
    [InlineData("def f:\n    pass", "1:6: expected '('")]
    [InlineData("if x y:\n    pass", "1:6: invalid syntax")]
    [InlineData("x = 1 2", "1:7: invalid syntax")]
    [InlineData("x = 1 +", "1:8: invalid syntax")]
    [InlineData("x = (1,\ny = 2", "1:5: '(' was never closed")]
    [InlineData("x = [1, 2\ny = 3", "1:5: '[' was never closed")]
    [InlineData("foo(a, [b\n", "1:8: '[' was never closed")]
    [InlineData("x = (1]", "1:7: closing parenthesis ']' does not match opening parenthesis '('")]
    [InlineData("x = (1,\n2]", "2:2: closing parenthesis ']' does not match opening parenthesis '(' on line 1")]
    [InlineData("x = 1)", "1:6: unmatched ')'")]
    [InlineData("f() = 1", "1:1: cannot assign to function call here. Maybe you meant '==' instead of '='?")]
    [InlineData("x + 1 = 2", "1:1: cannot assign to expression here. Maybe you meant '==' instead of '='?")]
    [InlineData("(a, f()) = 1", "1:5: cannot assign to function call")]
    [InlineData("a < b = 1", "1:1: cannot assign to comparison")]
    [InlineData("'abc' = 1", "1:1: cannot assign to literal here. Maybe you meant '==' instead of '='?")]
    [InlineData("True = 1", "1:1: cannot assign to True")]
    [InlineData("None = 1", "1:1: cannot assign to None")]
    [InlineData("x = lambda: 1 = 2", "1:5: cannot assign to lambda")]
    [InlineData("[x for x in y] = 1", "1:1: cannot assign to list comprehension here. Maybe you meant '==' instead of '='?")]
    [InlineData("x = yield = 1", "1:5: assignment to yield expression not possible")]
    [InlineData("f() += 1", "1:1: 'function call' is an illegal expression for augmented assignment")]
    [InlineData("(a, b) += 1", "1:1: 'tuple' is an illegal expression for augmented assignment")]
    [InlineData("del f()", "1:5: cannot delete function call")]
    [InlineData("del *a", "1:5: cannot delete starred")]
    [InlineData("for f() in x: pass", "1:5: cannot assign to function call")]
    [InlineData("[0 for f() in x]", "1:8: cannot assign to function call")]
    [InlineData("a, *b, *c = 1", "1:1: multiple starred expressions in assignment")]
    [InlineData("*a = 1", "1:1: starred assignment target must be in a list or tuple")]
    [InlineData("x = *a", "1:5: can't use starred expression here")]
    [InlineData("x = (*a)", "1:6: cannot use starred expression here")]
    [InlineData("(a, b): int = 1", "1:1: only single target (not tuple) can be annotated")]
    [InlineData("f(a b)", "1:3: invalid syntax. Perhaps you forgot a comma?")]
    [InlineData("[a b]", "1:2: invalid syntax. Perhaps you forgot a comma?")]
    [InlineData("x = {'a' 1}", "1:6: invalid syntax. Perhaps you forgot a comma?")]
    [InlineData("x = {'a': }", "1:9: expression expected after dictionary key and ':'")]
    [InlineData("x = {1: 2, 3}", "1:12: ':' expected after dictionary key")]
    [InlineData("x = [1, 2 for x in y]", "1:6: did you forget parentheses around the comprehension target?")]
    [InlineData("print \"x\"", "1:1: Missing parentheses in call to 'print'. Did you mean print(...)?")]
    [InlineData("if x = 1: pass", "1:4: invalid syntax. Maybe you meant '==' or ':=' instead of '='?")]
    [InlineData("f(a.b=1)", "1:3: expression cannot contain assignment, perhaps you meant \"==\"?")]
    [InlineData("f(x for x in y, 1)", "1:3: Generator expression must be parenthesized")]
    [InlineData("f(a=1, 2)", "1:8: positional argument follows keyword argument")]
    [InlineData("f(**k, a)", "1:8: positional argument follows keyword argument unpacking")]
    [InlineData("f(**k, *a)", "1:8: iterable argument unpacking follows keyword argument unpacking")]
    [InlineData("f(a=1, a=2)", "1:8: keyword argument repeated: a")]
    [InlineData("def f(a=1, b): pass", "1:12: non-default argument follows default argument")]
    [InlineData("lambda a=1, b: 0", "1:13: non-default argument follows default argument")]
    [InlineData("def f(*): pass", "1:7: named arguments must follow bare *")]
    [InlineData("def f(*, **k): pass", "1:7: named arguments must follow bare *")]
    [InlineData("def f(**k, a): pass", "1:12: arguments cannot follow var-keyword argument")]
    [InlineData("def f(*a, *b): pass", "1:11: * argument may appear only once")]
    [InlineData("def f(*a=1): pass", "1:9: var-positional argument cannot have default value")]
    [InlineData("from m import a,", "1:17: trailing comma not allowed without surrounding parentheses")]
    [InlineData("try:\n    pass\nexcept A, B:\n    pass", "3:8: multiple exception types must be parenthesized")]
    [InlineData("try:\n    pass\nexcept:\n    pass\nexcept A:\n    pass", "3:1: default 'except:' must be last")]
    [InlineData("try:\n    pass\nx = 1", "3:1: expected 'except' or 'finally' block")]
    [InlineData("x = a if b", "1:5: expected 'else' after 'if' expression")]
    [InlineData("else: pass", "1:1: invalid syntax")]
    [InlineData("if x: if y: pass", "1:7: invalid syntax")]
    [InlineData("pass;;", "1:6: invalid syntax")]
    [InlineData("x = a[]", "1:7: invalid syntax")]
    [InlineData("a.True = 1", "1:3: invalid syntax")]
    [InlineData("import a as b.c", "1:14: invalid syntax")]
    public void Errors_WordedAsInCPython(string source, string expected) => Assert.Equal(expected, Error(source));

    [Theory]
    [InlineData("with a: pass", "1:1: 'with' statements are not supported")]
    [InlineData("with open(f) as g:\n    x = 1\n", "1:1: 'with' statements are not supported")]
    [InlineData("@dec\ndef f(): pass", "1:1: decorators are not supported")]
    [InlineData("async def f(): pass", "1:1: 'async def' is not supported")]
    [InlineData("async for x in y: pass", "1:1: 'async for' is not supported")]
    [InlineData("match x:\n    case 1:\n        pass\n    case _:\n        pass\n", "1:1: 'match' statements are not supported")]
    [InlineData("match (x):\n    case [a, *b]: pass\n", "1:1: 'match' statements are not supported")]
    [InlineData("x = {1, 2}", "1:5: set literals are not supported")]
    [InlineData("x = {a for a in b}", "1:5: set literals are not supported")]
    [InlineData("x = {*a}", "1:5: set literals are not supported")]
    [InlineData("if (y := 1): pass", "1:7: assignment expressions (':=') are not supported")]
    [InlineData("def f(a, /, b): pass", "1:10: positional-only parameters are not supported")]
    [InlineData("class A(metaclass=M): pass", "1:9: keyword arguments in class definitions (such as 'metaclass=') are not supported")]
    [InlineData("class A(*bases): pass", "1:9: starred class bases are not supported")]
    [InlineData("from . import x", "1:6: relative imports are not supported")]
    [InlineData("from m import *", "1:15: wildcard imports ('from ... import *') are not supported")]
    [InlineData("x = ...", "1:5: '...' (Ellipsis) is not supported")]
    [InlineData("try:\n    pass\nexcept* E:\n    pass", "3:1: 'except*' is not supported")]
    [InlineData("x = [y async for y in z]", "1:8: asynchronous comprehensions are not supported")]
    public void UnsupportedConstructs_AreNamed(string source, string expected) => Assert.Equal(expected, Error(source));

    [Fact]
    public void UnsupportedStatement_BodyIsStillChecked()
    {
        Assert.Equal(["1:1: 'with' statements are not supported", "2:11: invalid syntax"], Errors("with a:\n    x = 1 2\ny = 3\n"));
    }

    // ---- recovery

    [Fact]
    public void Recovery_ThreeBadLines_GiveThreeErrors()
    {
        var diagnostics = new List<Diagnostic>();
        var module = Parser.Parse("x = 1 +\ny = 2\nz = (3 4)\nw = 5\nif q r:\n    pass\nv = 6\n", "bad.wf", diagnostics);
        Assert.Equal(["bad.wf:1:8: invalid syntax", "bad.wf:3:6: invalid syntax. Perhaps you forgot a comma?", "bad.wf:5:6: invalid syntax"],
            diagnostics.Select(d => d.ToString()).ToList());
        Assert.Equal("[(Assign [(Name y)] (Constant 2)) (Assign [(Name w)] (Constant 5)) (Assign [(Name v)] (Constant 6))]", AstDump.Body(module.Body));
    }

    [Fact]
    public void Recovery_InsideBlocks_ContinuesWithTheNextStatement()
    {
        Assert.Equal(["2:12: invalid syntax", "5:8: cannot assign to literal here. Maybe you meant '==' instead of '='?", "7:5: 'with' statements are not supported"],
            Errors("def f():\n    x = 1 +* 2\n    return x\ndef g():\n    if 1 = x:\n        pass\n    with y:\n        pass\n    return 2\n"));
    }

    [Fact]
    public void Recovery_BadHeader_SkipsItsBlockAndElseButChecksThem()
    {
        Assert.Equal(["1:6: invalid syntax", "4:11: invalid syntax"],
            Errors("if x y:\n    a = 1\nelse:\n    b = 2 3\nc = 4\n"));
    }

    [Fact]
    public void Recovery_LexicalErrorsDoNotCascade()
    {
        Assert.Equal(["1:5: invalid decimal literal", "2:7: unterminated string literal (detected at line 2)", "3:9: unmatched ')'"],
            Errors("x = 1abc + 2\ny = f('oops)\nz = g(1))\nw = 1\n"));
        Assert.Equal(["3:3: unindent does not match any outer indentation level"], Errors("if x:\n    pass\n  else:\n    pass\n"));
        Assert.Equal(["1:1: tab in indentation is not allowed"], Errors("\tx = 1\n"));
        Assert.Equal(["2:1: tab in indentation is not allowed", "3:1: tab in indentation is not allowed"], Errors("if x:\n\ty = 1\n\tz = 1\nw = 1\n"));
    }

    [Theory]
    [InlineData("print(sorted(x)\ny = 1\n", "1:6: '(' was never closed")]
    [InlineData("x = {1: 2,", "1:5: '{' was never closed")]
    [InlineData("b = 98765{4321\nprint(a + b)\n", "1:10: '{' was never closed")]
    [InlineData("print(sorted(rows, key=lambda r: r[2]:)\nprint(1)\n", "1:38: invalid syntax")]
    [InlineData("print(sorted(x]))", "1:15: closing parenthesis ']' does not match opening parenthesis '('")]
    [InlineData("f(a, (b, c]\ng(1)\n", "1:11: closing parenthesis ']' does not match opening parenthesis '('")]
    public void Recovery_UnclosedBrackets_ReportTheLikelyCause(string source, string expected) => Assert.Equal(expected, Error(source));

    [Theory]
    [InlineData("def f():\n        x = 1\n    y = 2\n    z = 3\n", "3:5")]
    [InlineData("if x:\n    pass\n  else:\n    pass\n", "3:3")]
    [InlineData("def g():\n    try:\n        a\n   except TypeError as e:\n        b\n", "4:4")]
    [InlineData("class C:\n    def m(self):\n        i = 1\n   .     if i:\n            raise X\n        i -= 1\n        return 1\n\n    def n(self):\n        return 2\n", "4:4")]
    [InlineData("if a:\n    if b:\n        x\n      y\n    z\n", "4:7")]
    public void Recovery_MisalignedDedent_GivesOneError(string source, string position) =>
        Assert.Equal($"{position}: unindent does not match any outer indentation level", Error(source));

    [Fact]
    public void Diagnostics_AreInSourceOrderAndAppendedAfterExistingOnes()
    {
        var diagnostics = new List<Diagnostic> { new("other.wf", 9, 9, "earlier") };
        Parser.Parse("x = (1 2)\ny = 1abc\n", "t.wf", diagnostics);
        Assert.Equal(["other.wf:9:9: earlier", "t.wf:1:6: invalid syntax. Perhaps you forgot a comma?", "t.wf:2:5: invalid decimal literal"],
            diagnostics.Select(d => d.ToString()).ToList());
    }

    [Fact]
    public void Recovery_UnexpectedIndent_ContinuesAfterTheBlock()
    {
        Assert.Equal(["2:5: unexpected indent", "5:7: invalid syntax"], Errors("x = 1\n    y = 2\n    z = 3\nw = 4\nv = 5 6\n"));
    }

    // ---- robustness

    [Fact]
    public void Nesting_TwoHundredParentheses_ParsesOnASmallStack()
    {
        string source = "x = " + new string('(', 200) + "1" + new string(')', 200) + "\ny = " + new string('[', 100) + new string(']', 100) + "\n";
        List<Diagnostic> diagnostics = [];
        ModuleNode? module = null;
        var thread = new Thread(() => module = Parser.Parse(source, "t.wf", diagnostics), 1024 * 1024);
        thread.Start();
        thread.Join();
        Assert.Empty(diagnostics);
        Assert.Equal(2, module!.Body.Count);
    }

    [Fact]
    public void Nesting_TooDeep_IsAnErrorNotACrash()
    {
        Assert.Equal("1:205: too many nested parentheses", Error("x = " + new string('(', 201) + "1" + new string(')', 201)));
        Assert.Equal("1:205: too many nested parentheses", Error("x = " + new string('(', 100_000)));
        // The 201st lambda and the 201st `**` (at columns 5 + 8 * 200 and 7 + 5 * 200).
        Assert.Equal("1:1605: expression nested too deeply", Error("x = " + string.Concat(Enumerable.Repeat("lambda: ", 20_000)) + "1"));
        Assert.Equal("1:1007: expression nested too deeply", Error("x = " + string.Concat(Enumerable.Repeat("2 ** ", 20_000)) + "1"));
        Assert.Equal("101:101: too many levels of indentation", Error(string.Concat(Enumerable.Range(0, 150).Select(i => new string(' ', i) + "if x:\n")) + new string(' ', 150) + "pass\n"));
    }

    [Fact]
    public void Nesting_LongFlatChains_NeedNoRecursion()
    {
        ParseOk("x = " + string.Join(" and ", Enumerable.Range(0, 100_000).Select(i => "a")));
        ParseOk("x = " + string.Join(" < ", Enumerable.Range(0, 100_000).Select(i => "a")));
        ParseOk("x = f(" + string.Join(", ", Enumerable.Range(0, 100_000).Select(i => "a")) + ")");
        ParseOk("if a: pass\n" + string.Concat(Enumerable.Repeat("elif b: pass\n", 10_000)));
    }

    [Fact]
    public void Parse_NeverThrows_OnMangledSource()
    {
        const string program = "def main(input):\n    xs = [i * 2 for i in range(10) if i % 3]\n    d = {'a': (1, 2), **other}\n"
            + "    try:\n        r = f\"{xs[0]!r:>{w}} {d['a']}\"\n    except (ValueError, KeyError) as e:\n        raise RuntimeError('x') from e\n"
            + "    while True:\n        if not xs: break\n        a, *b = xs\n    return lambda q=1: q ** -2\n";
        var random = new Random(1234);
        string alphabet = "()[]{}:;,.'\"\\#\n\t =+-*/%fr0123456789abcdefxyz_@!$";
        for (int i = 0; i < 3000; i++)
        {
            var text = new StringBuilder(program);
            int edits = random.Next(1, 6);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(text.Length);
                switch (random.Next(3))
                {
                    case 0: text.Remove(at, 1); break;
                    case 1: text.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                    default: text[at] = alphabet[random.Next(alphabet.Length)]; break;
                }
            }
            var diagnostics = new List<Diagnostic>();
            Parser.Parse(text.ToString(), "fuzz.wf", diagnostics);
            Assert.All(diagnostics, d => Assert.True(d.Line >= 1 && d.Col >= 1 && !d.Message.Contains("internal error"), d.ToString()));
        }
    }
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
