using System.Text;

namespace Workflow.Syntax;

/// <summary>
/// Splits the bodies of f-string tokens into literal text and {fields}, following CPython 3.11's
/// fstring_find_literal and fstring_find_expr (Parser/string_parser.c): the token was found by the
/// lexer like any string, so a field cannot reuse the enclosing quote, may not contain a backslash
/// or '#', and its expression is parsed on its own as if it were in parentheses.
/// </summary>
internal sealed class FStringParser
{
    // A field may sit inside a format spec ("{x:{width}}") but no deeper, as in CPython.
    private const int MaxSpecNesting = 2;

    private readonly string _src;
    private readonly string _file;
    private readonly List<Diagnostic> _diagnostics;
    private readonly ColumnCounter _columns;
    // How many levels of expressions are open inside the f-string (its own included): a field's
    // expression sits one level deeper (inside the FormattedValue), two more inside a format spec.
    private readonly int _depth;
    private StringLiteral _literal = null!;

    // A forward-moving cursor from source index to line, so that locating the many fields of a
    // long triple-quoted f-string stays linear.
    private int _cursor;
    private int _cursorLine;
    private int _cursorLineStart;

    private FStringParser(string source, string file, List<Diagnostic> diagnostics, int depth)
    {
        _src = source;
        _file = file;
        _diagnostics = diagnostics;
        _depth = depth;
        _columns = new ColumnCounter(source);
    }

    /// <summary>
    /// Builds the JoinedStr of adjacent string tokens [strings], at least one of them an f-string,
    /// inside which [depth] levels of expressions are open (see NestingLimits). Errors are reported
    /// to [diagnostics]; the f-string where one occurs keeps what was parsed before it.
    /// </summary>
    public static JoinedStr Parse(string source, string file, List<Diagnostic> diagnostics, List<Token> strings, int depth)
    {
        var parser = new FStringParser(source, file, diagnostics, depth);
        var parts = new Parts();
        foreach (var token in strings)
        {
            var literal = (StringLiteral)token.Value!;
            if (literal.IsFString)
                parser.ParseBody(literal, parts);
            else
                parts.AddText(literal.Value!, token.Line, token.Col);
        }
        return new JoinedStr(strings[0].Line, strings[0].Col, parts.Finish());
    }

    private sealed class FStringError(int at, string message) : Exception(message)
    {
        public int At { get; } = at;
    }

    private void ParseBody(StringLiteral literal, Parts parts)
    {
        _literal = literal;
        ResetCursor();
        int s = literal.BodyStart;
        try
        {
            ParseText(ref s, literal.BodyEnd, 0, parts);
        }
        catch (FStringError error)
        {
            var (line, _, col) = Locate(error.At);
            _diagnostics.Add(new Diagnostic(_file, line, col, error.Message));
        }
    }

    // Literal text and fields up to [end], or up to the '}' that closes a format spec when
    // [level] > 0. Doubled braces are escapes only at the top level, as in CPython 3.11.
    private void ParseText(ref int s, int end, int level, Parts parts)
    {
        bool raw = _literal.IsRaw;
        while (s < end)
        {
            int segmentStart = s;
            var (line, _, col) = Locate(s);
            var text = new StringBuilder();
            bool atBrace = false;
            while (s < end)
            {
                char ch = _src[s++];
                if (!raw && ch == '\\' && s < end)
                {
                    ch = _src[s++];
                    if (ch == 'N')
                    {
                        // The braces of \N{NAME} do not start a field.
                        if (s < end && _src[s++] == '{')
                            while (s < end && _src[s++] != '}')
                            {
                            }
                        continue;
                    }
                    if (ch is not ('{' or '}'))
                        continue;
                }
                if (ch is '{' or '}')
                {
                    if (level == 0)
                    {
                        if (s < end && _src[s] == ch)
                        {
                            Decode(segmentStart, s - 1, text);
                            text.Append(ch);
                            segmentStart = ++s;
                            continue;
                        }
                        if (ch == '}')
                            throw new FStringError(s - 1, "f-string: single '}' is not allowed");
                    }
                    s--;
                    atBrace = true;
                    break;
                }
            }
            Decode(segmentStart, s, text);
            parts.AddText(text.ToString(), line, col);
            if (!atBrace || _src[s] == '}')
                return;
            ParseField(ref s, end, level, parts);
        }
    }

    private void Decode(int from, int to, StringBuilder into)
    {
        if (to <= from)
            return;
        if (_literal.IsRaw)
            into.Append(_src, from, to - from);
        else
            into.Append(Lexer.DecodeEscapes(_src, from, to, (at, message) =>
            {
                var (line, _, col) = Locate(at);
                _diagnostics.Add(new Diagnostic(_file, line, col, message));
            }));
    }

    // One {expression[=][!conversion][:spec]} starting at the '{' at [s].
    private void ParseField(ref int s, int end, int level, Parts parts)
    {
        int open = s++;
        if (level >= MaxSpecNesting)
            throw new FStringError(open, "f-string: expressions nested too deeply");
        int valueDepth = _depth + 1 + 2 * level;
        if (valueDepth > NestingLimits.Expression)
            throw new FStringError(open, "f-string: " + NestingLimits.ExpressionTooDeep);
        int exprStart = s;
        // Located now, while the cursor has not yet moved past them.
        var (openLine, _, openCol) = Locate(open);
        var (exprLine, exprLineStart, exprCol) = Locate(exprStart);
        char quote = '\0';
        bool tripleQuote = false;
        var brackets = new Stack<char>();
        for (; s < end; s++)
        {
            char ch = _src[s];
            if (ch == '\\')
                throw new FStringError(s, "f-string expression part cannot include a backslash");
            if (quote != '\0')
            {
                if (ch == quote)
                {
                    if (!tripleQuote)
                        quote = '\0';
                    else if (s + 2 < end && _src[s + 1] == ch && _src[s + 2] == ch)
                    {
                        s += 2;
                        quote = '\0';
                    }
                }
                continue;
            }
            if (ch is '\'' or '"')
            {
                tripleQuote = s + 2 < end && _src[s + 1] == ch && _src[s + 2] == ch;
                if (tripleQuote)
                    s += 2;
                quote = ch;
                continue;
            }
            if (ch is '[' or '(' or '{')
            {
                if (brackets.Count >= NestingLimits.Brackets)
                    throw new FStringError(s, "f-string: too many nested parenthesis");
                brackets.Push(ch);
                continue;
            }
            if (ch == '#')
                throw new FStringError(s, "f-string expression part cannot include '#'");
            if (brackets.Count == 0 && ch is '!' or ':' or '}' or '=' or '>' or '<')
            {
                // != == <= >= are operators, not the end of the expression.
                if (s + 1 < end && _src[s + 1] == '=' && ch is '!' or '=' or '<' or '>')
                {
                    s++;
                    continue;
                }
                if (ch is '>' or '<')
                    continue;
                break;
            }
            if (ch is ']' or ')' or '}')
            {
                if (brackets.Count == 0)
                    throw new FStringError(s, $"f-string: unmatched '{ch}'");
                char opening = brackets.Pop();
                if (opening != (ch == ')' ? '(' : ch == ']' ? '[' : '{'))
                    throw new FStringError(s, $"f-string: closing parenthesis '{ch}' does not match opening parenthesis '{opening}'");
            }
        }
        int exprEnd = s;
        if (quote != '\0')
            throw new FStringError(s, "f-string: unterminated string");
        if (brackets.Count > 0)
            throw new FStringError(s, $"f-string: unmatched '{brackets.Peek()}'");
        if (s >= end)
            throw new FStringError(s, "f-string: expecting '}'");
        if (_src.AsSpan(exprStart, exprEnd - exprStart).IsWhiteSpace())
        {
            throw new FStringError(s, _src[s] == '!'
                ? "f-string: expression required before '!'"
                : "f-string: empty expression not allowed");
        }

        var value = Parser.ParseFStringExpression(_src, exprStart, exprEnd, exprLine, exprLineStart, _file, _diagnostics, valueDepth);

        // The 3.8 debugging form {x=} shows the expression's text, with the spaces around '='.
        string? selfDocumenting = null;
        if (_src[s] == '=')
        {
            s++;
            while (s < end && _src[s] is ' ' or '\t' or '\n' or '\f' or '\v')
                s++;
            if (s >= end)
                throw new FStringError(s, "f-string: expecting '}'");
            selfDocumenting = _src.Substring(exprStart, s - exprStart);
        }

        char conversion = '\0';
        if (_src[s] == '!')
        {
            s++;
            if (s >= end)
                throw new FStringError(s, "f-string: expecting '}'");
            conversion = _src[s++];
            if (conversion is not ('s' or 'r' or 'a'))
                throw new FStringError(s - 1, "f-string: invalid conversion character: expected 's', 'r', or 'a'");
        }
        if (s >= end)
            throw new FStringError(s, "f-string: expecting '}'");

        JoinedStr? spec = null;
        if (_src[s] == ':')
        {
            int specStart = ++s;
            if (s >= end)
                throw new FStringError(s, "f-string: expecting '}'");
            var (specLine, _, specCol) = Locate(specStart);
            var specParts = new Parts();
            ParseText(ref s, end, level + 1, specParts);
            spec = new JoinedStr(specLine, specCol, specParts.Finish());
        }
        if (s >= end || _src[s] != '}')
            throw new FStringError(s, "f-string: expecting '}'");
        s++;

        if (selfDocumenting != null)
        {
            parts.AddText(selfDocumenting, exprLine, exprCol);
            if (conversion == '\0' && spec == null)
                conversion = 'r';
        }
        parts.Add(new FormattedValue(openLine, openCol, value, conversion, spec));
    }

    private void ResetCursor()
    {
        _cursor = _literal.BodyStart;
        _cursorLine = _literal.BodyLine;
        _cursorLineStart = _literal.BodyLineStart;
    }

    // The line, that line's start index and the 1-based column of source index [at].
    private (int Line, int LineStart, int Col) Locate(int at)
    {
        if (at < _cursor)
            ResetCursor();
        for (; _cursor < at; _cursor++)
        {
            if (_src[_cursor] == '\n')
            {
                _cursorLine++;
                _cursorLineStart = _cursor + 1;
            }
        }
        return (_cursorLine, _cursorLineStart, _columns.Column(_cursorLineStart, at));
    }

    /// <summary>
    /// The values of a JoinedStr under construction: adjacent literal text merges into one
    /// Constant and empty text disappears, as in CPython's AST.
    /// </summary>
    private sealed class Parts
    {
        private readonly List<Expr> _values = [];
        private readonly StringBuilder _text = new();
        private int _textLine;
        private int _textCol;

        public void AddText(string text, int line, int col)
        {
            if (text.Length == 0)
                return;
            if (_text.Length == 0)
                (_textLine, _textCol) = (line, col);
            _text.Append(text);
        }

        public void Add(FormattedValue value)
        {
            Flush();
            _values.Add(value);
        }

        public List<Expr> Finish()
        {
            Flush();
            return _values;
        }

        private void Flush()
        {
            if (_text.Length == 0)
                return;
            _values.Add(new Constant(_textLine, _textCol, _text.ToString()));
            _text.Clear();
        }
    }
}
