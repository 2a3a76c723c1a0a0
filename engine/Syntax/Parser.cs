using System.Runtime.CompilerServices;
using static System.Runtime.CompilerServices.MethodImplOptions;

namespace Workflow.Syntax;

/// <summary>
/// A recursive-descent parser for the Python subset of LANGUAGE.md, following the rules of
/// CPython 3.11's Grammar/python.gram and wording its errors the way CPython does. Constructs
/// outside the subset parse far enough to be named in an error ("'with' statements are not
/// supported").
/// </summary>
/// <remarks>
/// Errors are thrown as a private exception up to the statement being parsed, reported there, and
/// the parser skips to the end of that logical line (and past any block that belongs to it), so a
/// file with several independent mistakes reports each of them. A mistake the lexer has already
/// reported leaves an Error token in the line, and the parser then stays quiet about that line.
/// Deep input is refused at NestingLimits; the methods that recurse once per level of nesting are
/// compiled optimized at once (AggressiveOptimization), as NestingLimits explains.
/// </remarks>
internal static class Parser
{
    /// Parses a whole file. Never throws on bad input: every problem becomes a Diagnostic appended to [diagnostics]
    /// and parsing resynchronises at the next statement, so one file can report several errors.
    public static ModuleNode Parse(string source, string fileName, List<Diagnostic> diagnostics)
    {
        string text = NormalizeSource(source);
        int firstNew = diagnostics.Count;
        ModuleNode module;
        try
        {
            var tokens = Lexer.Tokenize(text, fileName, diagnostics);
            var session = new Session(text, fileName, tokens, diagnostics, "", 0);
            module = new ModuleNode(fileName, session.ParseFile());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug here must not take a worker down with it; the file is reported as unparsable.
            diagnostics.Add(new Diagnostic(fileName, 1, 1, $"internal error in the parser: {e.GetType().Name}: {e.Message}"));
            module = new ModuleNode(fileName, []);
        }
        // The lexer reports before the parser starts; list this file's problems in source order.
        var added = diagnostics.GetRange(firstNew, diagnostics.Count - firstNew)
            .OrderBy(d => d.Line).ThenBy(d => d.Col).ToList();
        diagnostics.RemoveRange(firstNew, added.Count);
        diagnostics.AddRange(added);
        return module;
    }

    /// <summary>
    /// Parses the expression of one f-string field, source range [start, end) beginning on [line]
    /// whose first character is at [lineStart]. Like CPython 3.11 it is parsed as if between
    /// parentheses, so `f"{a, b}"` is a tuple and `f"{yield}"` is allowed. On error the problem is
    /// reported (with the "f-string: " prefix) and a placeholder None constant is returned. [depth]
    /// is how many levels of expressions enclose the field, which count toward its nesting limit.
    /// </summary>
    internal static Expr ParseFStringExpression(string source, int start, int end, int line, int lineStart,
        string fileName, List<Diagnostic> diagnostics, int depth)
    {
        var tokens = Lexer.TokenizeFStringExpression(source, start, end, line, lineStart, fileName, diagnostics);
        return new Session(source, fileName, tokens, diagnostics, "f-string: ", depth).ParseFStringField();
    }

    // CPython reads source with universal newlines and skips a UTF-8 byte order mark.
    private static string NormalizeSource(string source)
    {
        if (source.Length > 0 && source[0] == '\uFEFF')
            source = source[1..];
        if (source.Contains('\r'))
            source = source.Replace("\r\n", "\n").Replace('\r', '\n');
        return source;
    }

    private sealed class ParseError(int line, int col, string message, bool silent) : Exception(message)
    {
        public int Line { get; } = line;
        public int Col { get; } = col;
        public bool Silent { get; } = silent;
    }

    private enum TargetUse { Assign, Delete }

    private sealed class Session
    {
        private readonly string _source;
        private readonly string _file;
        private readonly List<Token> _tokens;
        private readonly List<Diagnostic> _diagnostics;
        private readonly string _messagePrefix;
        private readonly bool[] _lineHasLexError;

        // The deferred "'(' was never closed" token at the end of the last logical line, if any,
        // and the index of that line's first token.
        private readonly Token? _unclosed;
        private readonly int _unclosedLineStart;
        private readonly HashSet<(int, int, string)> _reported = [];
        private int _pos;

        // How many levels of expressions are open around the token being parsed: operands parsed
        // now sit that deep in the tree. See Open.
        private int _depth;

        public Session(string source, string file, List<Token> tokens, List<Diagnostic> diagnostics, string messagePrefix, int depth)
        {
            _depth = depth;
            _source = source;
            _file = file;
            _tokens = tokens;
            _diagnostics = diagnostics;
            _messagePrefix = messagePrefix;
            _lineHasLexError = MarkLinesWithLexErrors(tokens);
            int last = tokens.FindLastIndex(t => t.Kind == TokenKind.Error && t.Text.Length > 0);
            if (last >= 0)
            {
                _unclosed = tokens[last];
                _unclosedLineStart = tokens.FindLastIndex(last, t => t.Kind == TokenKind.Newline) + 1;
            }
        }

        // For each token, whether its logical line holds an Error token: a parse error on such a
        // line is a consequence of what the lexer already reported.
        private static bool[] MarkLinesWithLexErrors(List<Token> tokens)
        {
            var marks = new bool[tokens.Count];
            int lineStart = 0;
            bool hasError = false;
            for (int i = 0; i < tokens.Count; i++)
            {
                var kind = tokens[i].Kind;
                hasError |= kind == TokenKind.Error && tokens[i].Text.Length == 0;
                if (kind is TokenKind.Newline or TokenKind.EndOfFile || i == tokens.Count - 1)
                {
                    if (hasError)
                        Array.Fill(marks, true, lineStart, i - lineStart + 1);
                    lineStart = i + 1;
                    hasError = false;
                }
            }
            return marks;
        }

        // ---- token access

        private Token Cur => _tokens[_pos];
        private TokenKind Kind => _tokens[_pos].Kind;
        private TokenKind PeekKind(int ahead) => PeekToken(ahead).Kind;
        private Token PeekToken(int ahead) => _tokens[Math.Min(_pos + ahead, _tokens.Count - 1)];

        private Token Advance()
        {
            var token = _tokens[_pos];
            if (_pos < _tokens.Count - 1)
                _pos++;
            return token;
        }

        private bool Accept(TokenKind kind)
        {
            if (Kind != kind)
                return false;
            Advance();
            return true;
        }

        private Token Expect(TokenKind kind) => Kind == kind ? Advance() : throw Unexpected();

        private string ExpectName() => Kind == TokenKind.Name ? Advance().Text : throw Unexpected();

        // ---- errors

        private static ParseError Error(Token at, string message) => new(at.Line, at.Col, message, false);
        private static ParseError Error(Node at, string message) => new(at.Line, at.Col, message, false);

        private ParseError Unexpected()
        {
            var t = Cur;
            return t.Kind switch
            {
                // An Error token with a message is a deferred lexer error: see Lexer.Finish.
                TokenKind.Error when t.Text.Length > 0 => Error(t, t.Text),
                TokenKind.Error => new ParseError(t.Line, t.Col, "", true),
                TokenKind.Indent => Error(t, "unexpected indent"),
                TokenKind.Dedent => Error(t, "unexpected unindent"),
                _ => Error(t, "invalid syntax"),
            };
        }

        // Called where an element of a bracketed list should end. Two expressions side by side
        // are most likely a forgotten comma, which CPython says when it sees it inside brackets.
        private ParseError MissingComma(Token elementStart)
        {
            bool nextStartsExpression = Kind is TokenKind.Name or TokenKind.Number or TokenKind.String or TokenKind.None
                or TokenKind.True or TokenKind.False or TokenKind.LBrace or TokenKind.Lambda or TokenKind.Tilde
                or TokenKind.Await or TokenKind.Not;
            // CPython skips the hint after a soft keyword, and its check matches any prefix of
            // one ("m", "ca"), which is copied here so that both give the same message.
            bool excluded = elementStart.Kind == TokenKind.Name
                && (Kind == TokenKind.String || "match".StartsWith(elementStart.Text, StringComparison.Ordinal)
                    || "case".StartsWith(elementStart.Text, StringComparison.Ordinal) || elementStart.Text == "_");
            return nextStartsExpression && !excluded
                ? Error(elementStart, "invalid syntax. Perhaps you forgot a comma?")
                : Unexpected();
        }

        private void Report(ParseError error)
        {
            if (error.Silent || _lineHasLexError[_pos])
                return;
            // Inside a bracket that is never closed, a mistake found on a later line than the
            // bracket is most likely the missing closer itself (CPython reports it the same way).
            if (_unclosed != null && _pos >= _unclosedLineStart
                && (Cur.Line > _unclosed.Line || (Cur.Line == _unclosed.Line && Cur.Col == _unclosed.Col)))
                Add(_unclosed.Line, _unclosed.Col, _unclosed.Text);
            else
                Add(error.Line, error.Col, error.Message);
        }

        private void Add(int line, int col, string message)
        {
            if (_reported.Add((line, col, message)))
                _diagnostics.Add(new Diagnostic(_file, line, col, _messagePrefix + message));
        }

        // Opens one level of expression nesting at [at], the operator, bracket or keyword of a node
        // being built, whose [operand] (if any) is already parsed: that operand and those parsed
        // until Close sit one level deeper. A node at depth d that holds h levels needs d + h within
        // NestingLimits.Expression, so the check falls on the first token, reading left to right,
        // at which the nesting passes the limit: the 201st of 201 minus signs, the 201st of
        // `.a.a.a...`. Every recursion of the parser opens a level (or a bracket, which the lexer
        // limits), so this also bounds its own stack; the stack check is only a second guard.
        private void Open(Token at, Expr? operand = null)
        {
            if (_depth + 1 + (operand?.Height ?? 0) > NestingLimits.Expression || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
                throw Error(at, NestingLimits.ExpressionTooDeep);
            _depth++;
        }

        private void Close() => _depth--;

        // ---- statements

        public List<Stmt> ParseFile()
        {
            var body = new List<Stmt>();
            while (Kind != TokenKind.EndOfFile)
            {
                if (Kind == TokenKind.Dedent)
                {
                    Advance();
                    continue;
                }
                ParseStatementInto(body);
            }
            return body;
        }

        public Expr ParseFStringField()
        {
            var start = Cur;
            try
            {
                var value = Kind == TokenKind.Yield ? ParseYield() : ParseStarExpressions();
                if (value is Starred)
                    throw Error(value, "cannot use starred expression here");
                if (Kind != TokenKind.EndOfFile)
                    throw MissingComma(start);
                return value;
            }
            catch (ParseError error)
            {
                Report(error);
                return new Constant(start.Line, start.Col, null);
            }
        }

        // Parses one statement (or one line of simple statements) into [into]; on error reports it
        // and skips what belongs to the broken statement.
        [MethodImpl(AggressiveOptimization)]
        private void ParseStatementInto(List<Stmt> into)
        {
            int start = _pos, depth = _depth;
            try
            {
                ParseStatement(into);
            }
            catch (ParseError error)
            {
                _depth = depth;
                Report(error);
                Recover();
            }
            if (_pos == start && Kind is not (TokenKind.EndOfFile or TokenKind.Dedent))
                Advance();
        }

        // Skips the rest of the logical line, the indented block that follows it, and any
        // elif/else/except/finally clauses that continue the same compound statement, so that a
        // bad header does not also produce "unexpected indent" and "invalid syntax" at its 'else'.
        // Statements inside the skipped blocks are still parsed, to report their own errors.
        [MethodImpl(AggressiveOptimization)]
        private void Recover()
        {
            while (true)
            {
                while (Kind is not (TokenKind.Newline or TokenKind.EndOfFile or TokenKind.Indent or TokenKind.Dedent))
                    Advance();
                Accept(TokenKind.Newline);
                if (Kind == TokenKind.Indent)
                    ParseDiscardedBlock();
                if (Kind is TokenKind.Elif or TokenKind.Else or TokenKind.Except or TokenKind.Finally)
                {
                    Advance();
                    continue;
                }
                return;
            }
        }

        private void SkipLineAndBlock()
        {
            while (Kind is not (TokenKind.Newline or TokenKind.EndOfFile))
                Advance();
            Accept(TokenKind.Newline);
            if (Kind != TokenKind.Indent)
                return;
            int depth = 0;
            do
            {
                if (Kind == TokenKind.Indent)
                    depth++;
                else if (Kind == TokenKind.Dedent)
                    depth--;
                Advance();
            }
            while (depth > 0 && Kind != TokenKind.EndOfFile);
        }

        [MethodImpl(AggressiveOptimization)]
        private void ParseDiscardedBlock()
        {
            Expect(TokenKind.Indent);
            var ignored = new List<Stmt>();
            while (Kind is not (TokenKind.Dedent or TokenKind.EndOfFile))
                ParseStatementInto(ignored);
            Accept(TokenKind.Dedent);
        }

        [MethodImpl(AggressiveOptimization)]
        private void ParseStatement(List<Stmt> into)
        {
            switch (Kind)
            {
                case TokenKind.If: into.Add(ParseIf()); return;
                case TokenKind.While: into.Add(ParseWhile()); return;
                case TokenKind.For: into.Add(ParseFor()); return;
                case TokenKind.Try: into.Add(ParseTry()); return;
                case TokenKind.Def: into.Add(ParseFunctionDef()); return;
                case TokenKind.Class: into.Add(ParseClassDef()); return;
                case TokenKind.Indent:
                    if (!_lineHasLexError[_pos])
                        Add(Cur.Line, Cur.Col, "unexpected indent");
                    ParseDiscardedBlock();
                    return;
                case TokenKind.With:
                    throw Error(Cur, "'with' statements are not supported");
                case TokenKind.At:
                    throw Error(Cur, "decorators are not supported");
                case TokenKind.Async:
                    throw PeekKind(1) switch
                    {
                        TokenKind.Def => Error(Cur, "'async def' is not supported"),
                        TokenKind.For => Error(Cur, "'async for' is not supported"),
                        TokenKind.With => Error(Cur, "'async with' is not supported"),
                        _ => Unexpected(),
                    };
                case TokenKind.Name when IsMatchStatement():
                    // Its case clauses are not statements, so the block is skipped unparsed.
                    Add(Cur.Line, Cur.Col, "'match' statements are not supported");
                    SkipLineAndBlock();
                    return;
                default:
                    ParseSimpleStatements(into);
                    return;
            }
        }

        // `match` is a soft keyword: `match = 3` and `match(x)` are ordinary statements. A line
        // that starts with it and ends with a colon can only be a match statement.
        private bool IsMatchStatement()
        {
            if (Cur.Text != "match" || PeekKind(1) is TokenKind.Equal or TokenKind.Colon or TokenKind.Newline)
                return false;
            int i = _pos;
            while (_tokens[i].Kind is not (TokenKind.Newline or TokenKind.EndOfFile))
                i++;
            return _tokens[i - 1].Kind == TokenKind.Colon;
        }

        private void ParseSimpleStatements(List<Stmt> into)
        {
            while (true)
            {
                var statement = ParseSmallStatement();
                if (statement != null)
                    into.Add(statement);
                if (Kind == TokenKind.Semicolon)
                {
                    Advance();
                    if (Kind is TokenKind.Newline or TokenKind.EndOfFile)
                        break;
                    continue;
                }
                if (Kind is not (TokenKind.Newline or TokenKind.EndOfFile))
                {
                    if (statement is ExprStmt { Value: Name { Id: "print" or "exec" } name } && StartsExpression(Kind))
                        throw Error(name, $"Missing parentheses in call to '{name.Id}'. Did you mean {name.Id}(...)?");
                    throw Unexpected();
                }
                break;
            }
            Accept(TokenKind.Newline);
        }

        private Stmt? ParseSmallStatement()
        {
            var t = Cur;
            switch (Kind)
            {
                case TokenKind.Pass:
                    Advance();
                    return new Pass(t.Line, t.Col);
                case TokenKind.Break:
                    Advance();
                    return new Break(t.Line, t.Col);
                case TokenKind.Continue:
                    Advance();
                    return new Continue(t.Line, t.Col);
                case TokenKind.Return:
                    Advance();
                    return new Return(t.Line, t.Col, StartsExpression(Kind) ? ParseStarExpressionsValue() : null);
                case TokenKind.Raise:
                    return ParseRaise();
                case TokenKind.Global:
                    Advance();
                    return new Global(t.Line, t.Col, ParseNameList());
                case TokenKind.Nonlocal:
                    Advance();
                    return new Nonlocal(t.Line, t.Col, ParseNameList());
                case TokenKind.Del:
                    return ParseDelete();
                case TokenKind.Assert:
                {
                    Advance();
                    var test = ParseExpression();
                    var message = Accept(TokenKind.Comma) ? ParseExpression() : null;
                    return new Assert(t.Line, t.Col, test, message);
                }
                case TokenKind.Import:
                    return ParseImport();
                case TokenKind.From:
                    return ParseFromImport();
                default:
                    return ParseExpressionStatement();
            }
        }

        private Raise ParseRaise()
        {
            var t = Advance();
            if (!StartsExpression(Kind))
                return new Raise(t.Line, t.Col, null, null);
            var exception = ParseExpression();
            var cause = Accept(TokenKind.From) ? ParseExpression() : null;
            return new Raise(t.Line, t.Col, exception, cause);
        }

        private List<string> ParseNameList()
        {
            var names = new List<string> { ExpectName() };
            while (Accept(TokenKind.Comma))
                names.Add(ExpectName());
            return names;
        }

        private Delete ParseDelete()
        {
            var t = Advance();
            var targets = new List<Expr>();
            do
            {
                var target = ParseStarExpression();
                ValidateTarget(target, TargetUse.Delete, top: true, hint: false);
                targets.Add(target);
            }
            while (Accept(TokenKind.Comma) && StartsExpression(Kind));
            return new Delete(t.Line, t.Col, targets);
        }

        private Import ParseImport()
        {
            var t = Advance();
            var names = new List<Alias>();
            do
            {
                var at = Cur;
                string name = ParseDottedName();
                string? asName = Accept(TokenKind.As) ? ExpectName() : null;
                names.Add(new Alias(at.Line, at.Col, name, asName));
            }
            while (Accept(TokenKind.Comma));
            return new Import(t.Line, t.Col, names);
        }

        private ImportFrom ParseFromImport()
        {
            var t = Advance();
            if (Kind is TokenKind.Dot or TokenKind.Ellipsis)
                throw Error(Cur, "relative imports are not supported");
            string module = ParseDottedName();
            Expect(TokenKind.Import);
            if (Kind == TokenKind.Star)
                throw Error(Cur, "wildcard imports ('from ... import *') are not supported");
            bool parenthesized = Accept(TokenKind.LParen);
            var names = new List<Alias>();
            while (true)
            {
                var at = Cur;
                string name = ExpectName();
                string? asName = Accept(TokenKind.As) ? ExpectName() : null;
                names.Add(new Alias(at.Line, at.Col, name, asName));
                if (!Accept(TokenKind.Comma))
                    break;
                if (parenthesized && Kind == TokenKind.RParen)
                    break;
                if (!parenthesized && Kind is TokenKind.Newline or TokenKind.Semicolon or TokenKind.EndOfFile)
                    throw Error(Cur, "trailing comma not allowed without surrounding parentheses");
            }
            if (parenthesized)
                Expect(TokenKind.RParen);
            return new ImportFrom(t.Line, t.Col, module, names);
        }

        private string ParseDottedName()
        {
            string name = ExpectName();
            while (Accept(TokenKind.Dot))
                name += "." + ExpectName();
            return name;
        }

        private Stmt? ParseExpressionStatement()
        {
            var t = Cur;
            var first = Kind == TokenKind.Yield ? ParseYield() : ParseStarExpressions();
            if (Kind == TokenKind.Equal)
                return ParseAssignment(t, first);
            if (Kind == TokenKind.Colon)
                return ParseAnnotatedAssignment(t, first);
            if (AugmentedOperator(Kind) is { } op)
            {
                ValidateAugmentedTarget(first);
                Advance();
                var value = Kind == TokenKind.Yield ? ParseYield() : ParseStarExpressionsValue();
                return new AugAssign(t.Line, t.Col, first, op, value);
            }
            CheckNotBareStarred(first);
            return new ExprStmt(t.Line, t.Col, first);
        }

        private Assign ParseAssignment(Token t, Expr first)
        {
            var items = new List<Expr> { first };
            // Which items are a yield without parentheses, for CPython's special message.
            var bareYields = new List<bool> { t.Kind == TokenKind.Yield };
            while (Accept(TokenKind.Equal))
            {
                // With no value to come, CPython complains about the target first.
                if (!StartsExpression(Kind) && Kind != TokenKind.Yield)
                    ValidateTarget(items[^1], TargetUse.Assign, top: true, hint: false);
                bareYields.Add(Kind == TokenKind.Yield);
                items.Add(Kind == TokenKind.Yield ? ParseYield() : ParseStarExpressions());
            }
            var value = items[^1];
            items.RemoveAt(items.Count - 1);
            for (int i = 0; i < items.Count; i++)
            {
                if (bareYields[i])
                    throw Error(items[i], "assignment to yield expression not possible");
                // CPython adds its "did you mean ==" hint only for the last target, when the value
                // could be the right operand of a comparison.
                bool hint = i == items.Count - 1 && value is not (Lambda or Yield or YieldFrom or Starred);
                ValidateTarget(items[i], TargetUse.Assign, top: true, hint);
            }
            CheckNotBareStarred(value);
            return new Assign(t.Line, t.Col, items, value);
        }

        // `x: int = 1` becomes a plain assignment and `x: int` disappears: annotations carry no
        // meaning in the subset.
        private Assign? ParseAnnotatedAssignment(Token t, Expr target)
        {
            if (!StartsExpression(PeekKind(1)))
                throw Error(Cur, "invalid syntax");
            switch (target)
            {
                case TupleExpr:
                    throw Error(target, "only single target (not tuple) can be annotated");
                case ListExpr:
                    throw Error(target, "only single target (not list) can be annotated");
                case not (Name or Attribute or Subscript):
                    throw Error(target, "illegal target for annotation");
            }
            ValidateTarget(target, TargetUse.Assign, top: true, hint: false);
            Advance();
            ParseExpression();
            if (!Accept(TokenKind.Equal))
                return null;
            var value = Kind == TokenKind.Yield ? ParseYield() : ParseStarExpressionsValue();
            return new Assign(t.Line, t.Col, [target], value);
        }

        private static BinaryOperator? AugmentedOperator(TokenKind kind) => kind switch
        {
            TokenKind.PlusEqual => BinaryOperator.Add,
            TokenKind.MinusEqual => BinaryOperator.Sub,
            TokenKind.StarEqual => BinaryOperator.Mult,
            TokenKind.SlashEqual => BinaryOperator.Div,
            TokenKind.DoubleSlashEqual => BinaryOperator.FloorDiv,
            TokenKind.PercentEqual => BinaryOperator.Mod,
            TokenKind.DoubleStarEqual => BinaryOperator.Pow,
            TokenKind.LeftShiftEqual => BinaryOperator.LShift,
            TokenKind.RightShiftEqual => BinaryOperator.RShift,
            TokenKind.AmperEqual => BinaryOperator.BitAnd,
            TokenKind.VBarEqual => BinaryOperator.BitOr,
            TokenKind.CircumflexEqual => BinaryOperator.BitXor,
            TokenKind.AtEqual => BinaryOperator.MatMult,
            _ => null,
        };

        // ---- assignment targets

        // Checks that [e] can be assigned to (or deleted), with CPython's messages. [top] is false
        // inside a tuple or list target; [hint] adds CPython's "Maybe you meant '=='" suggestion.
        [MethodImpl(AggressiveOptimization)]
        private static void ValidateTarget(Expr e, TargetUse use, bool top, bool hint)
        {
            string verb = use == TargetUse.Delete ? "delete" : "assign to";
            switch (e)
            {
                case Name { Id: "__debug__" }:
                    throw Error(e, $"cannot {verb} __debug__");
                case Name or Attribute or Subscript:
                    return;
                case TupleExpr or ListExpr:
                {
                    var elements = e is TupleExpr tuple ? tuple.Elts : ((ListExpr)e).Elts;
                    int starred = 0;
                    foreach (var element in elements)
                    {
                        if (element is Starred)
                            starred++;
                        ValidateTarget(element, use, top: false, hint: false);
                    }
                    if (starred > 1)
                        throw Error(e, "multiple starred expressions in assignment");
                    return;
                }
                case Starred star:
                    if (use == TargetUse.Delete)
                        throw Error(e, "cannot delete starred");
                    if (top)
                        throw Error(e, "starred assignment target must be in a list or tuple");
                    ValidateTarget(star.Value, use, top: false, hint: false);
                    return;
            }
            bool hintApplies = hint && use == TargetUse.Assign && e is not (Compare or BoolOp or Lambda or GeneratorExp
                or UnaryOp { Op: UnaryOperator.Not } or Constant { Value: null or bool });
            string suffix = hintApplies ? " here. Maybe you meant '==' instead of '='?" : "";
            throw Error(e, $"cannot {verb} {Describe(e)}{suffix}");
        }

        private static void ValidateAugmentedTarget(Expr e)
        {
            if (e is Name or Attribute or Subscript)
                return;
            string what = e switch
            {
                TupleExpr => "tuple",
                ListExpr => "list",
                Starred => "starred",
                _ => Describe(e),
            };
            throw Error(e, $"'{what}' is an illegal expression for augmented assignment");
        }

        // How CPython names an expression in "cannot assign to ..." (_PyPegen_get_expr_name).
        private static string Describe(Expr e) => e switch
        {
            Call => "function call",
            Constant { Value: null } => "None",
            Constant { Value: true } => "True",
            Constant { Value: false } => "False",
            Constant => "literal",
            JoinedStr => "f-string expression",
            Compare => "comparison",
            IfExp => "conditional expression",
            Lambda => "lambda",
            ListComp => "list comprehension",
            DictComp => "dict comprehension",
            GeneratorExp => "generator expression",
            DictExpr => "dict literal",
            Yield or YieldFrom => "yield expression",
            Await => "await expression",
            Starred => "starred",
            TupleExpr => "tuple",
            ListExpr => "list",
            _ => "expression",
        };

        private static void CheckNotBareStarred(Expr e)
        {
            if (e is Starred)
                throw Error(e, "can't use starred expression here");
        }

        // ---- compound statements

        [MethodImpl(AggressiveOptimization)]
        private If ParseIf()
        {
            var clauses = new List<(Token Keyword, Expr Test, List<Stmt> Body)>();
            do
            {
                var keyword = Advance();
                var conditionStart = Cur;
                var test = ParseExpression();
                ExpectColon(conditionStart, test);
                string what = keyword.Kind == TokenKind.If ? "'if' statement" : "'elif' statement";
                clauses.Add((keyword, test, ParseBlock(what, keyword.Line)));
            }
            while (Kind == TokenKind.Elif);
            var orElse = Kind == TokenKind.Else ? ParseElse() : [];
            // elif chains nest as an If in the OrElse of the previous one, built from the inside
            // out so that long chains need no recursion.
            for (int i = clauses.Count - 1; i >= 0; i--)
            {
                var (keyword, test, body) = clauses[i];
                orElse = [new If(keyword.Line, keyword.Col, test, body, orElse)];
            }
            return (If)orElse[0];
        }

        [MethodImpl(AggressiveOptimization)]
        private List<Stmt> ParseElse()
        {
            var keyword = Advance();
            ExpectColon(forced: true);
            return ParseBlock("'else' statement", keyword.Line);
        }

        [MethodImpl(AggressiveOptimization)]
        private While ParseWhile()
        {
            var t = Advance();
            var conditionStart = Cur;
            var test = ParseExpression();
            ExpectColon(conditionStart, test);
            var body = ParseBlock("'while' statement", t.Line);
            var orElse = Kind == TokenKind.Else ? ParseElse() : [];
            return new While(t.Line, t.Col, test, body, orElse);
        }

        [MethodImpl(AggressiveOptimization)]
        private For ParseFor()
        {
            var t = Advance();
            var target = ParseTargetList();
            ValidateTarget(target, TargetUse.Assign, top: true, hint: false);
            Expect(TokenKind.In);
            var iter = ParseStarExpressionsValue();
            ExpectColon();
            var body = ParseBlock("'for' statement", t.Line);
            var orElse = Kind == TokenKind.Else ? ParseElse() : [];
            return new For(t.Line, t.Col, target, iter, body, orElse);
        }

        [MethodImpl(AggressiveOptimization)]
        private Try ParseTry()
        {
            var t = Advance();
            ExpectColon(forced: true);
            var body = ParseBlock("'try' statement", t.Line);
            var handlers = new List<ExceptHandler>();
            ExceptHandler? bareHandler = null;
            while (Kind == TokenKind.Except)
            {
                var keyword = Advance();
                if (Kind == TokenKind.Star)
                    throw Error(keyword, "'except*' is not supported");
                Expr? type = null;
                string? name = null;
                if (Kind != TokenKind.Colon)
                {
                    type = ParseExpression();
                    if (Kind == TokenKind.Comma)
                        throw Error(type, "multiple exception types must be parenthesized");
                    if (Accept(TokenKind.As))
                        name = ExpectName();
                }
                ExpectColon();
                var handler = new ExceptHandler(keyword.Line, keyword.Col, type, name, ParseBlock("'except' statement", keyword.Line));
                if (bareHandler != null)
                    Add(bareHandler.Line, bareHandler.Col, "default 'except:' must be last");
                if (type == null)
                    bareHandler ??= handler;
                handlers.Add(handler);
            }
            var orElse = handlers.Count > 0 && Kind == TokenKind.Else ? ParseElse() : [];
            List<Stmt> finalBody = [];
            if (Kind == TokenKind.Finally)
            {
                var keyword = Advance();
                ExpectColon(forced: true);
                finalBody = ParseBlock("'finally' statement", keyword.Line);
            }
            else if (handlers.Count == 0 && body.Count > 0)
            {
                // (An empty body has already been reported as a missing block.)
                // Reported without throwing: the current token already starts the next statement.
                Add(Cur.Line, Cur.Col, "expected 'except' or 'finally' block");
            }
            return new Try(t.Line, t.Col, body, handlers, orElse, finalBody);
        }

        [MethodImpl(AggressiveOptimization)]
        private FunctionDef ParseFunctionDef()
        {
            var t = Advance();
            string name = ExpectName();
            if (Kind != TokenKind.LParen)
                throw Error(Cur, "expected '('");
            Advance();
            var args = ParseParameters(isLambda: false);
            Expect(TokenKind.RParen);
            if (Accept(TokenKind.Arrow))
                ParseExpression();
            ExpectColon(forced: true);
            var body = ParseBlock("function definition", t.Line);
            return new FunctionDef(t.Line, t.Col, name, args, body);
        }

        [MethodImpl(AggressiveOptimization)]
        private ClassDef ParseClassDef()
        {
            var t = Advance();
            string name = ExpectName();
            var bases = new List<Expr>();
            if (Kind == TokenKind.LParen)
            {
                var (args, keywords) = ParseArguments(Advance());
                if (keywords.Count > 0)
                    throw Error(keywords[0], "keyword arguments in class definitions (such as 'metaclass=') are not supported");
                if (args.FirstOrDefault(a => a is Starred or GeneratorExp) is { } bad)
                    throw Error(bad, bad is Starred ? "starred class bases are not supported" : "invalid syntax");
                bases = args;
            }
            ExpectColon();
            var body = ParseBlock("class definition", t.Line);
            return new ClassDef(t.Line, t.Col, name, bases, body);
        }

        // Expects the ':' that ends a compound statement header. After an if/elif/while condition
        // a '=' is most likely a mistyped '==', which CPython points out. [forced] follows the
        // grammar's &&':' (try, else, finally, def): anything but a colon is "expected ':'".
        private void ExpectColon(Token? conditionStart = null, Expr? condition = null, bool forced = false)
        {
            if (Accept(TokenKind.Colon))
                return;
            if (Kind == TokenKind.Newline || (forced && Kind != TokenKind.Error))
                throw Error(Cur, "expected ':'");
            if (Kind == TokenKind.Equal && conditionStart is { } start && condition != null)
            {
                throw condition is Name
                    ? Error(start, "invalid syntax. Maybe you meant '==' or ':=' instead of '='?")
                    : Error(start, $"cannot assign to {Describe(condition)} here. Maybe you meant '==' instead of '='?");
            }
            throw Unexpected();
        }

        // A block after a header's ':' — either simple statements on the same line or an indented
        // block. A missing indented block is reported without throwing, since the line where it
        // should have started is itself fine and parses next. [what] and [line] name the header.
        [MethodImpl(AggressiveOptimization)]
        private List<Stmt> ParseBlock(string what, int line)
        {
            var body = new List<Stmt>();
            if (Kind != TokenKind.Newline)
            {
                ParseSimpleStatements(body);
                return body;
            }
            Advance();
            if (Kind != TokenKind.Indent)
            {
                // An Error token here is a block the lexer refused (indented too deep).
                if (Kind != TokenKind.Error)
                    Add(Cur.Line, Cur.Col, $"expected an indented block after {what} on line {line}");
                return body;
            }
            Advance();
            while (Kind is not (TokenKind.Dedent or TokenKind.EndOfFile))
                ParseStatementInto(body);
            Accept(TokenKind.Dedent);
            return body;
        }

        // ---- parameters and arguments

        // Parses a parameter list up to (not including) its ')' — or its ':' for a lambda.
        [MethodImpl(AggressiveOptimization)]
        private Arguments ParseParameters(bool isLambda)
        {
            var terminator = isLambda ? TokenKind.Colon : TokenKind.RParen;
            var positional = new List<Param>();
            var keywordOnly = new List<Param>();
            string? varArg = null, kwArg = null;
            bool sawStar = false, sawDefault = false;
            while (Kind != terminator)
            {
                var t = Cur;
                if (Kind == TokenKind.Slash)
                    throw Error(t, "positional-only parameters are not supported");
                if (Kind == TokenKind.DoubleStar)
                {
                    Advance();
                    kwArg = ExpectName();
                    SkipAnnotation(isLambda);
                    if (Kind == TokenKind.Equal)
                        throw Error(Cur, "var-keyword argument cannot have default value");
                    Accept(TokenKind.Comma);
                    if (Kind != terminator)
                        throw Error(Cur, "arguments cannot follow var-keyword argument");
                    break;
                }
                if (Kind == TokenKind.Star)
                {
                    Advance();
                    if (sawStar)
                        throw Error(t, "* argument may appear only once");
                    sawStar = true;
                    if (Kind == TokenKind.Name)
                    {
                        varArg = Advance().Text;
                        // `*args: *Ts` (PEP 646) is valid 3.11; the annotation goes anyway.
                        if (!isLambda && Accept(TokenKind.Colon))
                            ParseStarExpression();
                        if (Kind == TokenKind.Equal)
                            throw Error(Cur, "var-positional argument cannot have default value");
                    }
                    else if (Kind != TokenKind.Comma || PeekKind(1) != TokenKind.Name)
                        throw Error(t, "named arguments must follow bare *");
                }
                else
                {
                    string name = ExpectName();
                    SkipAnnotation(isLambda);
                    var fallback = Accept(TokenKind.Equal) ? ParseExpression() : null;
                    var param = new Param(t.Line, t.Col, name, fallback);
                    if (sawStar)
                        keywordOnly.Add(param);
                    else
                    {
                        if (fallback != null)
                            sawDefault = true;
                        else if (sawDefault)
                            throw Error(t, "non-default argument follows default argument");
                        positional.Add(param);
                    }
                }
                if (!Accept(TokenKind.Comma))
                {
                    if (Kind != terminator)
                        throw Unexpected();
                    break;
                }
            }
            return new Arguments(positional, varArg, keywordOnly, kwArg);
        }

        private void SkipAnnotation(bool isLambda)
        {
            if (!isLambda && Accept(TokenKind.Colon))
                ParseExpression();
        }

        // Parses call arguments after the '(' [open], through the closing ')'.
        [MethodImpl(AggressiveOptimization)]
        private (List<Expr> Args, List<Keyword> Keywords) ParseArguments(Token open)
        {
            var args = new List<Expr>();
            var keywords = new List<Keyword>();
            bool sawKeyword = false, sawKeywordUnpacking = false;
            while (Kind != TokenKind.RParen)
            {
                var t = Cur;
                if (Kind == TokenKind.Star)
                {
                    Open(Advance());
                    var value = ParseExpression();
                    Close();
                    if (sawKeywordUnpacking)
                        throw Error(t, "iterable argument unpacking follows keyword argument unpacking");
                    args.Add(new Starred(t.Line, t.Col, value));
                }
                else if (Kind == TokenKind.DoubleStar)
                {
                    Advance();
                    keywords.Add(new Keyword(t.Line, t.Col, null, ParseExpression()));
                    sawKeywordUnpacking = true;
                }
                else
                {
                    var e = ParseExpression();
                    if (Kind == TokenKind.Equal)
                    {
                        if (e is not Name name || t.Kind != TokenKind.Name)
                            throw Error(t, "expression cannot contain assignment, perhaps you meant \"==\"?");
                        Advance();
                        if (keywords.Any(k => k.Arg == name.Id))
                            throw Error(t, $"keyword argument repeated: {name.Id}");
                        keywords.Add(new Keyword(t.Line, t.Col, name.Id, ParseExpression()));
                        sawKeyword = true;
                    }
                    else if (Kind is TokenKind.For or TokenKind.Async)
                    {
                        Open(Cur, e);
                        var generators = ParseComprehensionClauses();
                        Close();
                        if (args.Count + keywords.Count > 0 || Kind == TokenKind.Comma)
                            throw Error(t, "Generator expression must be parenthesized");
                        if (Kind != TokenKind.RParen)
                            throw Unexpected();
                        args.Add(new GeneratorExp(open.Line, open.Col, e, generators));
                    }
                    else
                    {
                        if (sawKeywordUnpacking)
                            throw Error(t, "positional argument follows keyword argument unpacking");
                        if (sawKeyword)
                            throw Error(t, "positional argument follows keyword argument");
                        args.Add(e);
                    }
                }
                if (!Accept(TokenKind.Comma))
                {
                    if (Kind != TokenKind.RParen)
                        throw MissingComma(t);
                    break;
                }
            }
            Advance();
            return (args, keywords);
        }

        // ---- expressions

        private static bool StartsExpression(TokenKind kind) => kind is TokenKind.Name or TokenKind.Number
            or TokenKind.String or TokenKind.LParen or TokenKind.LBracket or TokenKind.LBrace or TokenKind.Minus
            or TokenKind.Plus or TokenKind.Tilde or TokenKind.Not or TokenKind.Lambda or TokenKind.Await
            or TokenKind.None or TokenKind.True or TokenKind.False or TokenKind.Star or TokenKind.Ellipsis;

        // star_expressions: `a`, `a, b`, `*a, b,` — a tuple as soon as there is a comma.
        [MethodImpl(AggressiveOptimization)]
        private Expr ParseStarExpressions()
        {
            var t = Cur;
            var first = ParseStarExpression();
            if (Kind != TokenKind.Comma)
                return first;
            Open(Cur, first);
            var elements = new List<Expr> { first };
            while (Accept(TokenKind.Comma) && StartsExpression(Kind))
                elements.Add(ParseStarExpression());
            Close();
            return new TupleExpr(t.Line, t.Col, elements);
        }

        [MethodImpl(AggressiveOptimization)]
        private Expr ParseStarExpressionsValue()
        {
            var e = ParseStarExpressions();
            CheckNotBareStarred(e);
            return e;
        }

        [MethodImpl(AggressiveOptimization)]
        private Expr ParseStarExpression() => Kind == TokenKind.Star ? ParseStarred() : ParseExpression();

        // expression: lambda, or a disjunction with an optional `if ... else ...`. The walrus
        // operator is recognised here only to say that it is not supported.
        [MethodImpl(AggressiveOptimization)]
        private Expr ParseExpression()
        {
            if (Kind == TokenKind.Lambda)
                return ParseLambda();
            var t = Cur;
            var result = ParseDisjunction();
            if (Kind == TokenKind.If)
            {
                Open(Advance(), result);
                var test = ParseDisjunction();
                if (Kind == TokenKind.Colon)
                    throw Unexpected();
                if (Kind != TokenKind.Else)
                    throw Error(t, "expected 'else' after 'if' expression");
                Advance();
                var orElse = ParseExpression();
                Close();
                result = new IfExp(t.Line, t.Col, test, result, orElse);
            }
            if (Kind == TokenKind.ColonEqual)
                throw Error(Cur, "assignment expressions (':=') are not supported");
            return result;
        }

        [MethodImpl(AggressiveOptimization)]
        private Lambda ParseLambda()
        {
            var t = Advance();
            Open(t);
            var args = ParseParameters(isLambda: true);
            Expect(TokenKind.Colon);
            var body = ParseExpression();
            Close();
            return new Lambda(t.Line, t.Col, args, body);
        }

        [MethodImpl(AggressiveOptimization)]
        private Expr ParseDisjunction()
        {
            var t = Cur;
            var first = ParseConjunction();
            if (Kind != TokenKind.Or)
                return first;
            Open(Cur, first);
            var values = new List<Expr> { first };
            while (Accept(TokenKind.Or))
                values.Add(ParseConjunction());
            Close();
            return new BoolOp(t.Line, t.Col, false, values);
        }

        [MethodImpl(AggressiveOptimization)]
        private Expr ParseConjunction()
        {
            var t = Cur;
            var first = ParseInversion();
            if (Kind != TokenKind.And)
                return first;
            Open(Cur, first);
            var values = new List<Expr> { first };
            while (Accept(TokenKind.And))
                values.Add(ParseInversion());
            Close();
            return new BoolOp(t.Line, t.Col, true, values);
        }

        // inversion: 'not'* comparison. One function rather than two, like factor and power
        // below, because every level of parentheses passes through all of them and stack frames
        // add up.
        [MethodImpl(AggressiveOptimization)]
        private Expr ParseInversion()
        {
            List<Token>? nots = null;
            while (Kind == TokenKind.Not)
            {
                Open(Cur);
                (nots ??= []).Add(Advance());
            }
            var t = Cur;
            var e = ParseBinary(1);
            List<CompareOperator>? ops = null;
            List<Expr>? comparators = null;
            while (true)
            {
                var opToken = Cur;
                CompareOperator op;
                switch (Kind)
                {
                    case TokenKind.EqEqual: op = CompareOperator.Eq; break;
                    case TokenKind.NotEqual: op = CompareOperator.NotEq; break;
                    case TokenKind.Less: op = CompareOperator.Lt; break;
                    case TokenKind.LessEqual: op = CompareOperator.LtE; break;
                    case TokenKind.Greater: op = CompareOperator.Gt; break;
                    case TokenKind.GreaterEqual: op = CompareOperator.GtE; break;
                    case TokenKind.In: op = CompareOperator.In; break;
                    case TokenKind.Not when PeekKind(1) == TokenKind.In:
                        Advance();
                        op = CompareOperator.NotIn;
                        break;
                    case TokenKind.Is when PeekKind(1) == TokenKind.Not:
                        Advance();
                        op = CompareOperator.IsNot;
                        break;
                    case TokenKind.Is: op = CompareOperator.Is; break;
                    default:
                        goto done;
                }
                if (ops == null)
                    Open(opToken, e);
                Advance();
                (ops ??= []).Add(op);
                (comparators ??= []).Add(ParseBinary(1));
            }
            done:
            if (ops != null)
            {
                Close();
                e = new Compare(t.Line, t.Col, e, ops, comparators!);
            }
            if (nots != null)
            {
                for (int i = nots.Count - 1; i >= 0; i--)
                {
                    Close();
                    e = new UnaryOp(nots[i].Line, nots[i].Col, UnaryOperator.Not, e);
                }
            }
            return e;
        }

        private Expr ParseBitOr() => ParseBinary(1);

        private static int Precedence(TokenKind kind) => kind switch
        {
            TokenKind.VBar => 1,
            TokenKind.Circumflex => 2,
            TokenKind.Amper => 3,
            TokenKind.LeftShift or TokenKind.RightShift => 4,
            TokenKind.Plus or TokenKind.Minus => 5,
            TokenKind.Star or TokenKind.Slash or TokenKind.DoubleSlash or TokenKind.Percent or TokenKind.At => 6,
            _ => 0,
        };

        private static BinaryOperator BinaryOperatorOf(TokenKind kind) => kind switch
        {
            TokenKind.VBar => BinaryOperator.BitOr,
            TokenKind.Circumflex => BinaryOperator.BitXor,
            TokenKind.Amper => BinaryOperator.BitAnd,
            TokenKind.LeftShift => BinaryOperator.LShift,
            TokenKind.RightShift => BinaryOperator.RShift,
            TokenKind.Plus => BinaryOperator.Add,
            TokenKind.Minus => BinaryOperator.Sub,
            TokenKind.Star => BinaryOperator.Mult,
            TokenKind.Slash => BinaryOperator.Div,
            TokenKind.DoubleSlash => BinaryOperator.FloorDiv,
            TokenKind.Percent => BinaryOperator.Mod,
            _ => BinaryOperator.MatMult,
        };

        // The left-associative binary operators from `|` down to `* / // % @`, by precedence
        // climbing: one loop instead of one function per level keeps the stack shallow for
        // deeply parenthesised input.
        [MethodImpl(AggressiveOptimization)]
        private Expr ParseBinary(int minPrecedence)
        {
            var t = Cur;
            var left = ParseFactor();
            while (true)
            {
                int precedence = Precedence(Kind);
                if (precedence == 0 || precedence < minPrecedence)
                    return left;
                Open(Cur, left);
                var op = BinaryOperatorOf(Advance().Kind);
                var right = ParseBinary(precedence + 1);
                Close();
                left = new BinOp(t.Line, t.Col, left, op, right);
            }
        }

        // factor: unary + - ~ applied to a power, so that -2**2 is -(2**2); power is
        // await_primary ['**' factor], right-associative through factor.
        [MethodImpl(AggressiveOptimization)]
        private Expr ParseFactor()
        {
            List<Token>? prefixes = null;
            while (Kind is TokenKind.Minus or TokenKind.Plus or TokenKind.Tilde)
            {
                Open(Cur);
                (prefixes ??= []).Add(Advance());
            }
            var t = Cur;
            var e = ParsePrimary();
            if (Kind == TokenKind.DoubleStar)
            {
                Open(Advance(), e);
                var exponent = ParseFactor();
                Close();
                e = new BinOp(t.Line, t.Col, e, BinaryOperator.Pow, exponent);
            }
            if (prefixes != null)
            {
                for (int i = prefixes.Count - 1; i >= 0; i--)
                {
                    Close();
                    var op = prefixes[i].Kind switch
                    {
                        TokenKind.Minus => UnaryOperator.USub,
                        TokenKind.Plus => UnaryOperator.UAdd,
                        _ => UnaryOperator.Invert,
                    };
                    e = new UnaryOp(prefixes[i].Line, prefixes[i].Col, op, e);
                }
            }
            return e;
        }

        // An atom with its trailers (.name, (args), [index]), under an optional `await`.
        [MethodImpl(AggressiveOptimization)]
        private Expr ParsePrimary()
        {
            Token? awaitToken = null;
            if (Kind == TokenKind.Await)
            {
                Open(Cur);
                awaitToken = Advance();
            }
            var t = Cur;
            var e = ParseAtom();
            while (Kind is TokenKind.Dot or TokenKind.LParen or TokenKind.LBracket)
            {
                Open(Cur, e);
                if (Kind == TokenKind.Dot)
                {
                    Advance();
                    e = new Attribute(t.Line, t.Col, e, ExpectName());
                }
                else if (Kind == TokenKind.LParen)
                {
                    var (args, keywords) = ParseArguments(Advance());
                    e = new Call(t.Line, t.Col, e, args, keywords);
                }
                else
                {
                    Advance();
                    e = new Subscript(t.Line, t.Col, e, ParseSubscriptIndex());
                }
                Close();
            }
            if (awaitToken is not { } a)
                return e;
            Close();
            return new Await(a.Line, a.Col, e);
        }

        // The inside of `a[...]` through the ']': an expression, a slice, or a tuple of them.
        [MethodImpl(AggressiveOptimization)]
        private Expr ParseSubscriptIndex()
        {
            var t = Cur;
            var first = ParseSliceItem();
            var index = first;
            if (Kind == TokenKind.Comma)
            {
                Open(Cur, first);
                var elements = new List<Expr> { first };
                while (Accept(TokenKind.Comma) && Kind != TokenKind.RBracket)
                {
                    var elementStart = Cur;
                    elements.Add(ParseSliceItem());
                    if (Kind is not (TokenKind.Comma or TokenKind.RBracket))
                        throw MissingComma(elementStart);
                }
                Close();
                index = new TupleExpr(t.Line, t.Col, elements);
            }
            if (Kind != TokenKind.RBracket)
                throw MissingComma(t);
            Advance();
            return index;
        }

        [MethodImpl(AggressiveOptimization)]
        private Expr ParseSliceItem()
        {
            var t = Cur;
            if (Kind == TokenKind.Star)
                return ParseStarred();
            Expr? lower = null;
            if (Kind != TokenKind.Colon)
            {
                lower = ParseExpression();
                if (Kind != TokenKind.Colon)
                    return lower;
            }
            Open(Advance(), lower);
            var upper = Kind is TokenKind.Colon or TokenKind.Comma or TokenKind.RBracket ? null : ParseExpression();
            Expr? step = null;
            if (Accept(TokenKind.Colon))
                step = Kind is TokenKind.Comma or TokenKind.RBracket ? null : ParseExpression();
            Close();
            return new Slice(t.Line, t.Col, lower, upper, step);
        }

        [MethodImpl(AggressiveOptimization)]
        private Expr ParseAtom()
        {
            var t = Cur;
            switch (Kind)
            {
                case TokenKind.Name:
                    Advance();
                    return new Name(t.Line, t.Col, t.Text);
                case TokenKind.Number:
                    Advance();
                    return new Constant(t.Line, t.Col, t.Value);
                case TokenKind.String:
                    return ParseStrings();
                case TokenKind.None:
                    Advance();
                    return new Constant(t.Line, t.Col, null);
                case TokenKind.True:
                    Advance();
                    return new Constant(t.Line, t.Col, true);
                case TokenKind.False:
                    Advance();
                    return new Constant(t.Line, t.Col, false);
                case TokenKind.LParen:
                case TokenKind.LBracket:
                case TokenKind.LBrace:
                {
                    Open(t);
                    var e = Kind == TokenKind.LParen ? ParseParenthesized() : Kind == TokenKind.LBracket ? ParseList() : ParseDict();
                    Close();
                    return e;
                }
                case TokenKind.Ellipsis:
                    throw Error(t, "'...' (Ellipsis) is not supported");
                default:
                    throw Unexpected();
            }
        }

        // Adjacent literals concatenate; if any of them is an f-string the result is one JoinedStr.
        [MethodImpl(AggressiveOptimization)]
        private Expr ParseStrings()
        {
            var t = Cur;
            var strings = new List<Token>();
            bool anyFString = false;
            while (Kind == TokenKind.String)
            {
                var token = Advance();
                anyFString |= ((StringLiteral)token.Value!).IsFString;
                strings.Add(token);
            }
            if (anyFString)
            {
                Open(t);
                var joined = FStringParser.Parse(_source, _file, _diagnostics, strings, _depth);
                Close();
                return joined;
            }
            string value = strings.Count == 1
                ? ((StringLiteral)t.Value!).Value!
                : string.Concat(strings.Select(s => ((StringLiteral)s.Value!).Value));
            return new Constant(t.Line, t.Col, value);
        }

        // `( ... )`: the empty tuple, a parenthesised yield, a generator expression, a tuple, or
        // just a grouped expression.
        [MethodImpl(AggressiveOptimization)]
        private Expr ParseParenthesized()
        {
            var open = Advance();
            if (Accept(TokenKind.RParen))
                return new TupleExpr(open.Line, open.Col, []);
            if (Kind == TokenKind.Yield)
            {
                var y = ParseYield();
                Expect(TokenKind.RParen);
                return y;
            }
            var elementStart = Cur;
            var first = ParseStarNamedExpression();
            if (Kind is TokenKind.For or TokenKind.Async)
            {
                CheckComprehensionElement(first);
                var generators = ParseComprehensionClauses();
                Expect(TokenKind.RParen);
                return new GeneratorExp(open.Line, open.Col, first, generators);
            }
            if (Accept(TokenKind.RParen))
            {
                if (first is Starred)
                    throw Error(first, "cannot use starred expression here");
                return first;
            }
            if (Kind != TokenKind.Comma)
                throw MissingComma(elementStart);
            var elements = ParseElementsAfterFirst(first, TokenKind.RParen);
            return new TupleExpr(open.Line, open.Col, elements);
        }

        [MethodImpl(AggressiveOptimization)]
        private Expr ParseList()
        {
            var open = Advance();
            if (Accept(TokenKind.RBracket))
                return new ListExpr(open.Line, open.Col, []);
            var elementStart = Cur;
            var first = ParseStarNamedExpression();
            if (Kind is TokenKind.For or TokenKind.Async)
            {
                CheckComprehensionElement(first);
                var generators = ParseComprehensionClauses();
                Expect(TokenKind.RBracket);
                return new ListComp(open.Line, open.Col, first, generators);
            }
            if (Kind is not (TokenKind.Comma or TokenKind.RBracket))
                throw MissingComma(elementStart);
            return new ListExpr(open.Line, open.Col, ParseElementsAfterFirst(first, TokenKind.RBracket));
        }

        // The rest of a tuple or list display after its first element, through the [closer].
        [MethodImpl(AggressiveOptimization)]
        private List<Expr> ParseElementsAfterFirst(Expr first, TokenKind closer)
        {
            var elements = new List<Expr> { first };
            while (Accept(TokenKind.Comma) && Kind != closer)
            {
                var elementStart = Cur;
                elements.Add(ParseStarNamedExpression());
                if (Kind is TokenKind.For or TokenKind.Async)
                    throw Error(first, "did you forget parentheses around the comprehension target?");
                if (Kind != TokenKind.Comma && Kind != closer)
                    throw MissingComma(elementStart);
            }
            Expect(closer);
            return elements;
        }

        [MethodImpl(AggressiveOptimization)]
        private Expr ParseStarNamedExpression() => Kind == TokenKind.Star ? ParseStarred() : ParseExpression();

        // `*operand`, the operand at the `|` level.
        [MethodImpl(AggressiveOptimization)]
        private Starred ParseStarred()
        {
            var t = Advance();
            Open(t);
            var operand = ParseBitOr();
            Close();
            return new Starred(t.Line, t.Col, operand);
        }

        private static void CheckComprehensionElement(Expr element)
        {
            if (element is Starred)
                throw Error(element, "iterable unpacking cannot be used in comprehension");
        }

        // `{ ... }`: a dict display or dict comprehension. Anything else in braces is a set,
        // which the subset leaves out.
        [MethodImpl(AggressiveOptimization)]
        private Expr ParseDict()
        {
            var open = Advance();
            var keys = new List<Expr?>();
            var values = new List<Expr>();
            if (Accept(TokenKind.RBrace))
                return new DictExpr(open.Line, open.Col, keys, values);
            var entryStart = Cur;
            if (Kind == TokenKind.DoubleStar)
            {
                Advance();
                keys.Add(null);
                values.Add(ParseBitOr());
            }
            else
            {
                var key = ParseStarNamedExpression();
                if (Kind != TokenKind.Colon)
                {
                    if (Kind is TokenKind.Comma or TokenKind.RBrace or TokenKind.For or TokenKind.Async)
                        throw Error(open, "set literals are not supported");
                    throw MissingComma(entryStart);
                }
                if (key is Starred)
                    throw Error(key, "cannot use a starred expression in a dictionary key");
                entryStart = PeekToken(1);
                var value = ParseDictValue();
                if (Kind is TokenKind.For or TokenKind.Async)
                {
                    var generators = ParseComprehensionClauses();
                    Expect(TokenKind.RBrace);
                    return new DictComp(open.Line, open.Col, key, value, generators);
                }
                keys.Add(key);
                values.Add(value);
            }
            while (true)
            {
                if (Kind == TokenKind.RBrace)
                    break;
                if (!Accept(TokenKind.Comma))
                    throw MissingComma(entryStart);
                if (Kind == TokenKind.RBrace)
                    break;
                entryStart = Cur;
                if (Accept(TokenKind.DoubleStar))
                {
                    keys.Add(null);
                    values.Add(ParseBitOr());
                    continue;
                }
                var key = ParseExpression();
                if (Kind != TokenKind.Colon)
                    throw Error(key, "':' expected after dictionary key");
                keys.Add(key);
                entryStart = PeekToken(1);
                values.Add(ParseDictValue());
            }
            Advance();
            return new DictExpr(open.Line, open.Col, keys, values);
        }

        [MethodImpl(AggressiveOptimization)]
        private Expr ParseDictValue()
        {
            var colon = Advance();
            if (!StartsExpression(Kind) || Kind == TokenKind.Star)
                throw Error(colon, "expression expected after dictionary key and ':'");
            return ParseExpression();
        }

        // One or more `for target in iter [if cond]...` clauses.
        [MethodImpl(AggressiveOptimization)]
        private List<Comprehension> ParseComprehensionClauses()
        {
            var generators = new List<Comprehension>();
            while (Kind is TokenKind.For or TokenKind.Async)
            {
                if (Kind == TokenKind.Async)
                    throw Error(Cur, "asynchronous comprehensions are not supported");
                var t = Advance();
                var targetStart = Cur;
                var target = ParseTargetList();
                if (Kind != TokenKind.In)
                    throw MissingComma(targetStart);
                ValidateTarget(target, TargetUse.Assign, top: true, hint: false);
                Advance();
                var iter = ParseDisjunction();
                var conditions = new List<Expr>();
                while (Accept(TokenKind.If))
                    conditions.Add(ParseDisjunction());
                generators.Add(new Comprehension(t.Line, t.Col, target, iter, conditions));
            }
            return generators;
        }

        // star_targets of a `for`: parsed at the `|` level so that the `in` after them is not
        // taken for a comparison.
        [MethodImpl(AggressiveOptimization)]
        private Expr ParseTargetList()
        {
            var t = Cur;
            var first = ParseTargetElement();
            if (Kind != TokenKind.Comma)
                return first;
            Open(Cur, first);
            var elements = new List<Expr> { first };
            while (Accept(TokenKind.Comma) && StartsExpression(Kind))
                elements.Add(ParseTargetElement());
            Close();
            return new TupleExpr(t.Line, t.Col, elements);
        }

        [MethodImpl(AggressiveOptimization)]
        private Expr ParseTargetElement() => Kind == TokenKind.Star ? ParseStarred() : ParseBitOr();

        [MethodImpl(AggressiveOptimization)]
        private Expr ParseYield()
        {
            var t = Advance();
            Open(t);
            Expr result = Accept(TokenKind.From)
                ? new YieldFrom(t.Line, t.Col, ParseExpression())
                : new Yield(t.Line, t.Col, StartsExpression(Kind) ? ParseStarExpressionsValue() : null);
            Close();
            return result;
        }
    }
}
