using System.Globalization;
using System.Numerics;
using System.Text;

namespace Workflow.Syntax;

/// <summary>
/// Turns source text into tokens the way CPython 3.11's tokenizer does: NEWLINE ends a logical
/// line, INDENT and DEDENT bracket blocks, and newlines inside (), [] and {} or after a backslash
/// are ignored. A lexical error is reported once and becomes an Error token (or, where the text
/// is still self-delimiting, a dummy token of the right kind), so tokenizing always reaches the end.
/// </summary>
internal sealed class Lexer
{
    private static readonly Dictionary<string, TokenKind> Keywords = new()
    {
        ["False"] = TokenKind.False, ["None"] = TokenKind.None, ["True"] = TokenKind.True,
        ["and"] = TokenKind.And, ["as"] = TokenKind.As, ["assert"] = TokenKind.Assert,
        ["async"] = TokenKind.Async, ["await"] = TokenKind.Await, ["break"] = TokenKind.Break,
        ["class"] = TokenKind.Class, ["continue"] = TokenKind.Continue, ["def"] = TokenKind.Def,
        ["del"] = TokenKind.Del, ["elif"] = TokenKind.Elif, ["else"] = TokenKind.Else,
        ["except"] = TokenKind.Except, ["finally"] = TokenKind.Finally, ["for"] = TokenKind.For,
        ["from"] = TokenKind.From, ["global"] = TokenKind.Global, ["if"] = TokenKind.If,
        ["import"] = TokenKind.Import, ["in"] = TokenKind.In, ["is"] = TokenKind.Is,
        ["lambda"] = TokenKind.Lambda, ["nonlocal"] = TokenKind.Nonlocal, ["not"] = TokenKind.Not,
        ["or"] = TokenKind.Or, ["pass"] = TokenKind.Pass, ["raise"] = TokenKind.Raise,
        ["return"] = TokenKind.Return, ["try"] = TokenKind.Try, ["while"] = TokenKind.While,
        ["with"] = TokenKind.With, ["yield"] = TokenKind.Yield,
    };

    private readonly string _src;
    private readonly int _end;
    private readonly string _file;
    private readonly string _messagePrefix;
    private readonly List<Diagnostic> _diagnostics;
    private readonly bool _expressionOnly;
    private readonly ColumnCounter _columns;
    private readonly List<Token> _tokens = [];
    private readonly List<int> _indents = [0];
    private readonly List<(char Open, int Line, int Col)> _brackets = [];
    private int _pos;
    private int _line;
    private int _lineStart;

    // Set once input nests deeper than NestingLimits allows (brackets or indentation), which is
    // reported only the first time.
    private bool _tooDeep;

    // Set after a bracket error, until the end of the logical line.
    private bool _bracketErrorInLine;

    private Lexer(string source, int start, int end, int line, int lineStart, string file,
        List<Diagnostic> diagnostics, bool expressionOnly, string messagePrefix)
    {
        _src = source;
        _pos = start;
        _end = end;
        _line = line;
        _lineStart = lineStart;
        _file = file;
        _diagnostics = diagnostics;
        _expressionOnly = expressionOnly;
        _messagePrefix = messagePrefix;
        _columns = new ColumnCounter(source);
    }

    /// <summary>Tokenizes a whole file; [source] must already use '\n' line ends.</summary>
    public static List<Token> Tokenize(string source, string file, List<Diagnostic> diagnostics) =>
        new Lexer(source, 0, source.Length, 1, 0, file, diagnostics, false, "").Run();

    /// <summary>
    /// Tokenizes the expression part of an f-string field, source range [start, end) beginning on
    /// [line] whose first character is at [lineStart]. It is lexed as if inside parentheses (no
    /// NEWLINE, INDENT or DEDENT), and messages get the "f-string: " prefix CPython gives them.
    /// </summary>
    public static List<Token> TokenizeFStringExpression(string source, int start, int end, int line, int lineStart,
        string file, List<Diagnostic> diagnostics) =>
        new Lexer(source, start, end, line, lineStart, file, diagnostics, true, "f-string: ").Run();

    private List<Token> Run()
    {
        bool atLineStart = !_expressionOnly;
        while (true)
        {
            if (atLineStart)
            {
                atLineStart = false;
                ReadIndentation();
            }
            SkipBlanks();
            if (_pos >= _end)
                break;
            char c = _src[_pos];
            if (c == '#')
            {
                while (_pos < _end && _src[_pos] != '\n')
                    _pos++;
            }
            else if (c == '\n')
            {
                if (_brackets.Count > 0 || _expressionOnly)
                {
                    NextLine(++_pos);
                    continue;
                }
                if (_tokens.Count > 0 && _tokens[^1].Kind != TokenKind.Newline)
                    Emit(TokenKind.Newline, _pos, _pos + 1, "\n");
                _bracketErrorInLine = false;
                NextLine(++_pos);
                atLineStart = true;
            }
            else if (c == '\\')
                ReadContinuation();
            else if (c is '"' or '\'')
                ReadString(_pos, _pos, raw: false, fString: false, bytes: false);
            else if (char.IsAsciiDigit(c) || (c == '.' && _pos + 1 < _end && char.IsAsciiDigit(_src[_pos + 1])))
                ReadNumber();
            else if (char.IsAsciiLetter(c) || c == '_' || c > 0x7f)
                ReadNameOrPrefixedString();
            else
                ReadOperator();
        }
        Finish();
        return _tokens;
    }

    // At the start of a physical line outside brackets: skips blank and comment-only lines, then
    // compares the indentation of the first real line with the stack of open blocks.
    private void ReadIndentation()
    {
        while (true)
        {
            int col = 0, tabAt = -1, p = _pos;
            for (; p < _end; p++)
            {
                char c = _src[p];
                if (c == ' ')
                    col++;
                else if (c == '\t')
                {
                    if (tabAt < 0)
                        tabAt = p;
                }
                else if (c == '\f')
                    col = 0;
                else
                    break;
            }
            if (p >= _end)
            {
                _pos = p;
                return;
            }
            if (_src[p] is '#' or '\n')
            {
                int newline = _src.IndexOf('\n', p, _end - p);
                if (newline < 0)
                {
                    _pos = _end;
                    return;
                }
                NextLine(newline + 1);
                _pos = newline + 1;
                continue;
            }
            _pos = p;
            // A tab's width is a matter of editor settings, so indentation that relies on one is
            // rejected outright. The line is skipped (an Error token) and leaves the block levels
            // alone, so that its guessed width produces no "unexpected indent" and the like.
            if (tabAt >= 0)
                ErrorToken(tabAt, _pos, "tab in indentation is not allowed");
            else
                ApplyIndentation(col);
            return;
        }
    }

    private void ApplyIndentation(int col)
    {
        int top = _indents[^1];
        if (col == top)
            return;
        if (col > top)
        {
            if (_indents.Count >= NestingLimits.IndentLevels)
            {
                // Reported once; each line too deep becomes an Error token the parser skips.
                if (!_tooDeep)
                    Report(_pos, "too many levels of indentation");
                _tooDeep = true;
                Emit(TokenKind.Error, _pos, _pos, "");
                return;
            }
            _indents.Add(col);
            Emit(TokenKind.Indent, _pos, _pos, "");
            return;
        }
        // [leaving] counts the open levels deeper than the line, which all close; [above] is the
        // shallowest of them and [below] the level the line should line up with.
        int leaving = 1;
        while (col < _indents[^(leaving + 1)])
            leaving++;
        int above = _indents[^leaving], below = _indents[^(leaving + 1)];
        if (col != below)
        {
            // An unindent to no open level. Recovery guesses what was meant, so that one
            // misaligned line gives one message:
            // - a clause that must line up with its header (else, except...) goes to the nearer level;
            // - a line whose next line has the same width makes that the width of the block it
            //   would leave, and stays in it;
            // - any other line is a one-off and is skipped (Error token), leaving the levels alone.
            Report(_pos, "unindent does not match any outer indentation level");
            if (StartsClauseKeyword())
            {
                if (above - col < col - below)
                    leaving--;
            }
            else if (NextLineIndentation() == col)
            {
                _indents[^leaving] = col;
                leaving--;
            }
            else
            {
                Emit(TokenKind.Error, _pos, _pos, "");
                return;
            }
        }
        _indents.RemoveRange(_indents.Count - leaving, leaving);
        for (int i = 0; i < leaving; i++)
            Emit(TokenKind.Dedent, _pos, _pos, "");
    }

    private bool StartsClauseKeyword()
    {
        var rest = _src.AsSpan(_pos, _end - _pos);
        foreach (string word in (ReadOnlySpan<string>)["else", "elif", "except", "finally"])
        {
            if (rest.StartsWith(word) && (rest.Length == word.Length || !char.IsAsciiLetterOrDigit(rest[word.Length]) && rest[word.Length] != '_'))
                return true;
        }
        return false;
    }

    // The indentation of the next line after the current one that is not blank or a comment, or
    // -1. Only used to recover from a bad dedent, so it ignores strings spanning lines.
    private int NextLineIndentation()
    {
        int p = _src.IndexOf('\n', _pos, _end - _pos);
        while (p >= 0)
        {
            int col = 0;
            p++;
            while (p < _end && _src[p] == ' ')
            {
                col++;
                p++;
            }
            if (p < _end && _src[p] is not ('\n' or '#'))
                return col;
            p = p < _end ? _src.IndexOf('\n', p, _end - p) : -1;
        }
        return -1;
    }

    private void SkipBlanks()
    {
        while (_pos < _end && _src[_pos] is ' ' or '\t' or '\f')
            _pos++;
    }

    private void ReadContinuation()
    {
        int at = _pos;
        if (_pos + 1 < _end && _src[_pos + 1] == '\n')
        {
            if (_pos + 2 >= _end && !_expressionOnly)
            {
                _pos += 2;
                ErrorToken(at, at + 1, "unexpected EOF while parsing");
                NextLine(_pos);
                return;
            }
            _pos += 2;
            NextLine(_pos);
            return;
        }
        _pos++;
        if (_pos >= _end)
            ErrorToken(at, _pos, "unexpected EOF while parsing");
        else
            ErrorToken(at, _pos, "unexpected character after line continuation character");
    }

    private void Finish()
    {
        if (_brackets.Count > 0)
        {
            // Not reported here: like CPython, the parser reports it only if it gets this far,
            // because a syntax error earlier in the same logical line usually says more.
            var (open, line, col) = _brackets[^1];
            _tokens.Add(new Token(TokenKind.Error, line, col, line, col + 1, $"'{open}' was never closed"));
        }
        if (!_expressionOnly)
        {
            if (_tokens.Count > 0 && _tokens[^1].Kind is not (TokenKind.Newline or TokenKind.Dedent))
                Emit(TokenKind.Newline, _end, _end, "");
            for (int i = 1; i < _indents.Count; i++)
                Emit(TokenKind.Dedent, _end, _end, "");
        }
        Emit(TokenKind.EndOfFile, _end, _end, "");
    }

    // ---- names and string prefixes

    private void ReadNameOrPrefixedString()
    {
        int start = _pos;
        // String prefixes: r, u, f, b and the two-letter rb/br/rf/fr, in any case.
        int p = start;
        bool raw = false, f = false, b = false, u = false;
        while (p < _end && p - start < 2)
        {
            char c = char.ToLowerInvariant(_src[p]);
            if (c == 'r' && !raw) raw = true;
            else if (c == 'f' && !f) f = true;
            else if (c == 'b' && !b) b = true;
            else if (c == 'u' && !u) u = true;
            else break;
            p++;
        }
        if (p > start && p < _end && _src[p] is '"' or '\'' && !(u && (raw || f || b)) && !(f && b))
        {
            ReadString(start, p, raw, f, b);
            return;
        }

        p = start;
        bool ascii = true;
        while (p < _end)
        {
            char c = _src[p];
            if (char.IsAsciiLetterOrDigit(c) || c == '_')
            {
                p++;
                continue;
            }
            if (c < 0x80 || Rune.DecodeFromUtf16(_src.AsSpan(p, _end - p), out var rune, out int used) != System.Buffers.OperationStatus.Done)
                break;
            if (!(p == start ? IsIdentifierStart(rune) : IsIdentifierContinue(rune)))
                break;
            ascii = false;
            p += used;
        }
        if (p == start)
        {
            InvalidCharacter();
            return;
        }
        string text = _src.Substring(start, p - start);
        if (!ascii)
            text = NormalizeIdentifier(text);
        if (Keywords.TryGetValue(text, out var keyword))
            Emit(keyword, start, p, text);
        else
            Emit(TokenKind.Name, start, p, text);
        _pos = p;
    }

    // Python compares identifiers after NFKC normalisation (PEP 3131).
    private static string NormalizeIdentifier(string text)
    {
        try
        {
            return text.Normalize(NormalizationForm.FormKC);
        }
        catch (PlatformNotSupportedException)
        {
            return text;
        }
    }

    private static bool IsIdentifierStart(Rune r)
    {
        if (r.Value == '_')
            return true;
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
            or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.LetterNumber;
    }

    private static bool IsIdentifierContinue(Rune r) =>
        IsIdentifierStart(r) || r.Value is 0xB7 or 0x387 || Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark
            or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation;

    private void InvalidCharacter()
    {
        int start = _pos;
        Rune.DecodeFromUtf16(_src.AsSpan(_pos, _end - _pos), out var rune, out int used);
        _pos += Math.Max(used, 1);
        string message = Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator
            ? $"invalid non-printable character U+{rune.Value:X4}"
            : $"invalid character '{rune}' (U+{rune.Value:X4})";
        ErrorToken(start, _pos, message);
    }

    // ---- numbers

    private void ReadNumber()
    {
        int start = _pos;
        char c = _src[_pos];
        if (c == '0' && _pos + 1 < _end && char.ToLowerInvariant(_src[_pos + 1]) is 'x' or 'o' or 'b')
        {
            ReadRadixNumber(start);
            return;
        }

        bool isFloat = false;
        if (c != '.')
        {
            if (!ReadDigits(10, "decimal", start))
                return;
            // "0777" is an octal literal in Python 2; Python 3 only accepts all-zero leading zeros.
            bool leadingZero = c == '0' && HasNonZeroDigit(start, _pos);
            if (_pos < _end && _src[_pos] is '.' or 'e' or 'E' or 'j' or 'J')
                leadingZero = false;
            if (leadingZero)
            {
                NumberError(start, start + 1, "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers");
                return;
            }
        }
        if (_pos < _end && _src[_pos] == '.')
        {
            isFloat = true;
            _pos++;
            if (_pos < _end && char.IsAsciiDigit(_src[_pos]) && !ReadDigits(10, "decimal", start))
                return;
        }
        if (_pos < _end && _src[_pos] is 'e' or 'E')
        {
            int e = _pos++;
            if (_pos < _end && _src[_pos] is '+' or '-')
                _pos++;
            if (_pos >= _end || !char.IsAsciiDigit(_src[_pos]))
            {
                // "1else" lexes as 1 followed by a keyword, as in CPython.
                if (_src[_pos - 1] is 'e' or 'E' && StartsKeywordAfterNumber(e))
                {
                    _pos = e;
                    EmitNumber(start, isFloat);
                    return;
                }
                NumberError(start, start, "invalid decimal literal");
                return;
            }
            if (!ReadDigits(10, "decimal", start))
                return;
            isFloat = true;
        }
        if (_pos < _end && _src[_pos] is 'j' or 'J')
        {
            _pos++;
            NumberError(start, start, "complex numbers are not supported");
            return;
        }
        if (!VerifyEndOfNumber(start, "decimal"))
            return;
        EmitNumber(start, isFloat);
    }

    private bool HasNonZeroDigit(int from, int to)
    {
        for (int i = from; i < to; i++)
            if (_src[i] is >= '1' and <= '9')
                return true;
        return false;
    }

    private void ReadRadixNumber(int start)
    {
        char prefix = char.ToLowerInvariant(_src[_pos + 1]);
        int radix = prefix == 'x' ? 16 : prefix == 'o' ? 8 : 2;
        string kind = radix == 16 ? "hexadecimal" : radix == 8 ? "octal" : "binary";
        _pos += 2;
        // An underscore may follow the prefix: 0x_ff.
        if (_pos < _end && _src[_pos] == '_')
            _pos++;
        if (_pos >= _end || DigitValue(_src[_pos]) >= radix)
        {
            if (_pos < _end && radix < 10 && char.IsAsciiDigit(_src[_pos]))
                NumberError(start, _pos, $"invalid digit '{_src[_pos]}' in {kind} literal");
            else
                NumberError(start, start + 1, $"invalid {kind} literal");
            return;
        }
        if (!ReadDigits(radix, kind, start))
            return;
        if (radix < 10 && _pos < _end && char.IsAsciiDigit(_src[_pos]))
        {
            NumberError(start, _pos, $"invalid digit '{_src[_pos]}' in {kind} literal");
            return;
        }
        if (!VerifyEndOfNumber(start, kind))
            return;
        string digits = _src.Substring(start + 2, _pos - start - 2).Replace("_", "");
        Emit(TokenKind.Number, start, _pos, "", ParseInteger(digits, radix));
    }

    // Reads digits of [radix] with single '_' separators between them. Returns false after
    // reporting a misplaced underscore.
    private bool ReadDigits(int radix, string kind, int start)
    {
        while (_pos < _end)
        {
            char c = _src[_pos];
            if (c == '_')
            {
                if (_pos + 1 < _end && DigitValue(_src[_pos + 1]) < radix)
                {
                    _pos++;
                    continue;
                }
                NumberError(start, _pos, $"invalid {kind} literal");
                return false;
            }
            if (DigitValue(c) >= radix)
                break;
            _pos++;
        }
        return true;
    }

    private static int DigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => 99,
    };

    // CPython 3.11 lets a number run straight into one of the keywords that may follow it in
    // valid code ("1if x else 2"); any other identifier character there is an error. Its check
    // (verify_end_of_number) wants and/else/for/not/or as whole words but only looks at the
    // first two letters of if/in/is.
    private bool VerifyEndOfNumber(int start, string kind)
    {
        if (_pos >= _end)
            return true;
        if (StartsKeywordAfterNumber(_pos))
            return true;
        char c = _src[_pos];
        if (char.IsAsciiLetterOrDigit(c) || c == '_' || c > 0x7f && char.IsLetterOrDigit(c))
        {
            NumberError(start, start, $"invalid {kind} literal");
            return false;
        }
        return true;
    }

    private bool StartsKeywordAfterNumber(int p)
    {
        var rest = _src.AsSpan(p, _end - p);
        if (rest.StartsWith("if") || rest.StartsWith("in") || rest.StartsWith("is"))
            return true;
        foreach (string word in (ReadOnlySpan<string>)["and", "else", "for", "not", "or"])
        {
            if (rest.StartsWith(word) && (rest.Length == word.Length
                || !(char.IsAsciiLetterOrDigit(rest[word.Length]) || rest[word.Length] == '_' || rest[word.Length] > 0x7f)))
                return true;
        }
        return false;
    }

    private void EmitNumber(int start, bool isFloat)
    {
        string text = _src.Substring(start, _pos - start).Replace("_", "");
        object value = isFloat
            ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)
            : ParseInteger(text, 10);
        Emit(TokenKind.Number, start, _pos, "", value);
    }

    private static object ParseInteger(string digits, int radix)
    {
        long small = 0;
        bool fits = true;
        foreach (char c in digits)
        {
            if (small > (long.MaxValue - DigitValue(c)) / radix)
            {
                fits = false;
                break;
            }
            small = small * radix + DigitValue(c);
        }
        if (fits)
            return small;
        var big = BigInteger.Zero;
        foreach (char c in digits)
            big = big * radix + DigitValue(c);
        return big;
    }

    // Reports a malformed number at [errorAt] and swallows the rest of its alphanumeric run into
    // one Error token, so that "2a" is one mistake rather than also a missing operator.
    private void NumberError(int start, int errorAt, string message)
    {
        Report(errorAt, message);
        while (_pos < _end && (char.IsAsciiLetterOrDigit(_src[_pos]) || _src[_pos] is '_' or '.'))
            _pos++;
        Emit(TokenKind.Error, start, _pos, "");
    }

    // ---- strings

    private void ReadString(int start, int quoteAt, bool raw, bool fString, bool bytes)
    {
        char quote = _src[quoteAt];
        int p = quoteAt + 1;
        bool triple = p + 1 < _end && _src[p] == quote && _src[p + 1] == quote;
        if (triple)
            p += 2;
        int bodyStart = p, bodyLine = _line, bodyLineStart = _lineStart;
        int startLine = _line, startCol = _columns.Column(_lineStart, start);
        int bodyEnd;
        while (true)
        {
            if (p >= _end)
            {
                _pos = _end;
                UnterminatedString(triple, startLine, startCol);
                return;
            }
            char c = _src[p];
            if (c == '\\' && p + 1 < _end)
            {
                if (_src[p + 1] == '\n')
                    NextLine(p + 2);
                p += 2;
            }
            else if (c == quote)
            {
                if (!triple)
                {
                    bodyEnd = p;
                    p++;
                    break;
                }
                if (p + 2 < _end && _src[p + 1] == quote && _src[p + 2] == quote)
                {
                    bodyEnd = p;
                    p += 3;
                    break;
                }
                p++;
            }
            else if (c == '\n')
            {
                if (!triple)
                {
                    _pos = p;
                    UnterminatedString(triple, startLine, startCol);
                    return;
                }
                NextLine(++p);
            }
            else
                p++;
        }
        _pos = p;
        if (bytes)
            AddDiagnostic(startLine, startCol, "bytes literals are not supported");
        string? value = fString
            ? null
            : raw
                ? _src.Substring(bodyStart, bodyEnd - bodyStart)
                : DecodeEscapes(_src, bodyStart, bodyEnd, (at, message) => Report(LocateInString(bodyLine, bodyLineStart, bodyStart, at), message));
        var literal = new StringLiteral(value, fString, raw, bodyStart, bodyEnd, bodyLine, bodyLineStart);
        _tokens.Add(new Token(TokenKind.String, startLine, startCol, _line, _columns.Column(_lineStart, _pos), "", literal));
    }

    private void UnterminatedString(bool triple, int startLine, int startCol)
    {
        string what = triple ? "unterminated triple-quoted string literal" : "unterminated string literal";
        AddDiagnostic(startLine, startCol, $"{what} (detected at line {_line})");
        // The rest of the line went into the string, and with it most likely the closing brackets
        // of this line: forget those so that the next line starts a fresh logical line.
        while (_brackets.Count > 0 && _brackets[^1].Line == _line)
            _brackets.RemoveAt(_brackets.Count - 1);
        _tokens.Add(new Token(TokenKind.Error, startLine, startCol, _line, _columns.Column(_lineStart, _pos), ""));
    }

    // Finds the line and line start of source index [at] inside a string body that starts at
    // [bodyStart] on [bodyLine]. Only used for error messages, so a scan is fine.
    private (int Line, int LineStart, int At) LocateInString(int bodyLine, int bodyLineStart, int bodyStart, int at)
    {
        int line = bodyLine, lineStart = bodyLineStart;
        for (int i = bodyStart; i < at; i++)
        {
            if (_src[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        return (line, lineStart, at);
    }

    /// <summary>
    /// Decodes the backslash escapes of the non-raw string text [start, end) of [source] as
    /// CPython's unicode-escape codec does. Unknown escapes such as \q stay as written; a malformed
    /// one is passed to [error] with the index of its backslash and then skipped.
    /// </summary>
    public static string DecodeEscapes(string source, int start, int end, Action<int, string> error)
    {
        int backslash = source.IndexOf('\\', start, end - start);
        if (backslash < 0)
            return source.Substring(start, end - start);
        var sb = new StringBuilder(end - start);
        int i = start;
        while (i < end)
        {
            int next = source.IndexOf('\\', i, end - i);
            if (next < 0)
            {
                sb.Append(source, i, end - i);
                break;
            }
            sb.Append(source, i, next - i);
            i = next;
            if (i + 1 >= end)
            {
                sb.Append('\\');
                break;
            }
            char e = source[i + 1];
            int escapeStart = i;
            i += 2;
            switch (e)
            {
                case '\n': break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case >= '0' and <= '7':
                {
                    int value = e - '0';
                    for (int k = 0; k < 2 && i < end && source[i] is >= '0' and <= '7'; k++)
                        value = value * 8 + (source[i++] - '0');
                    sb.Append((char)value);
                    break;
                }
                case 'x' or 'u' or 'U':
                {
                    int width = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    int value = 0, digits = 0;
                    while (digits < width && i < end && DigitValue(source[i]) < 16)
                    {
                        value = value * 16 + DigitValue(source[i++]);
                        digits++;
                    }
                    string shape = e == 'x' ? "\\xXX" : e == 'u' ? "\\uXXXX" : "\\UXXXXXXXX";
                    if (digits < width)
                        error(escapeStart, UnicodeError(source, start, escapeStart, i - 1, $"truncated {shape} escape"));
                    else if ((uint)value > 0x10FFFF)
                        error(escapeStart, UnicodeError(source, start, escapeStart, i - 1, "illegal Unicode character"));
                    else if (value is >= 0xD800 and <= 0xDFFF)
                        sb.Append((char)value);
                    else
                        sb.Append(char.ConvertFromUtf32(value));
                    break;
                }
                case 'N':
                    // Resolving character names needs the Unicode name table, which .NET lacks.
                    error(escapeStart, "\\N{...} escapes are not supported");
                    if (i < end && source[i] == '{')
                    {
                        int close = source.IndexOf('}', i, end - i);
                        i = close < 0 ? end : close + 1;
                    }
                    break;
                default:
                    sb.Append('\\').Append(e);
                    break;
            }
        }
        return sb.ToString();
    }

    // CPython words escape errors as codec errors with UTF-8 byte offsets into the literal.
    private static string UnicodeError(string source, int start, int from, int to, string reason)
    {
        int a = Encoding.UTF8.GetByteCount(source.AsSpan(start, from - start));
        int b = a + Encoding.UTF8.GetByteCount(source.AsSpan(from, to - from + 1)) - 1;
        return $"(unicode error) 'unicodeescape' codec can't decode bytes in position {a}-{b}: {reason}";
    }

    // ---- operators and brackets

    private void ReadOperator()
    {
        int start = _pos;
        char c = _src[_pos];
        char n = _pos + 1 < _end ? _src[_pos + 1] : '\0';
        char n2 = _pos + 2 < _end ? _src[_pos + 2] : '\0';
        (TokenKind kind, int length) = c switch
        {
            '(' => (TokenKind.LParen, 1),
            ')' => (TokenKind.RParen, 1),
            '[' => (TokenKind.LBracket, 1),
            ']' => (TokenKind.RBracket, 1),
            '{' => (TokenKind.LBrace, 1),
            '}' => (TokenKind.RBrace, 1),
            ':' => n == '=' ? (TokenKind.ColonEqual, 2) : (TokenKind.Colon, 1),
            ',' => (TokenKind.Comma, 1),
            ';' => (TokenKind.Semicolon, 1),
            '.' => n == '.' && n2 == '.' ? (TokenKind.Ellipsis, 3) : (TokenKind.Dot, 1),
            '@' => n == '=' ? (TokenKind.AtEqual, 2) : (TokenKind.At, 1),
            '+' => n == '=' ? (TokenKind.PlusEqual, 2) : (TokenKind.Plus, 1),
            '-' => n == '=' ? (TokenKind.MinusEqual, 2) : n == '>' ? (TokenKind.Arrow, 2) : (TokenKind.Minus, 1),
            '*' => n == '*'
                ? n2 == '=' ? (TokenKind.DoubleStarEqual, 3) : (TokenKind.DoubleStar, 2)
                : n == '=' ? (TokenKind.StarEqual, 2) : (TokenKind.Star, 1),
            '/' => n == '/'
                ? n2 == '=' ? (TokenKind.DoubleSlashEqual, 3) : (TokenKind.DoubleSlash, 2)
                : n == '=' ? (TokenKind.SlashEqual, 2) : (TokenKind.Slash, 1),
            '%' => n == '=' ? (TokenKind.PercentEqual, 2) : (TokenKind.Percent, 1),
            '~' => (TokenKind.Tilde, 1),
            '&' => n == '=' ? (TokenKind.AmperEqual, 2) : (TokenKind.Amper, 1),
            '|' => n == '=' ? (TokenKind.VBarEqual, 2) : (TokenKind.VBar, 1),
            '^' => n == '=' ? (TokenKind.CircumflexEqual, 2) : (TokenKind.Circumflex, 1),
            '<' => n == '<'
                ? n2 == '=' ? (TokenKind.LeftShiftEqual, 3) : (TokenKind.LeftShift, 2)
                : n == '=' ? (TokenKind.LessEqual, 2) : (TokenKind.Less, 1),
            '>' => n == '>'
                ? n2 == '=' ? (TokenKind.RightShiftEqual, 3) : (TokenKind.RightShift, 2)
                : n == '=' ? (TokenKind.GreaterEqual, 2) : (TokenKind.Greater, 1),
            '=' => n == '=' ? (TokenKind.EqEqual, 2) : (TokenKind.Equal, 1),
            '!' => n == '=' ? (TokenKind.NotEqual, 2) : (TokenKind.Unknown, 1),
            _ => (TokenKind.Unknown, 1),
        };
        if (c == '\0')
        {
            _pos++;
            ErrorToken(start, _pos, "source code cannot contain null bytes");
            return;
        }
        if (kind == TokenKind.Unknown && c < 0x20)
        {
            InvalidCharacter();
            return;
        }
        _pos += length;
        string text = _src.Substring(start, length);
        switch (kind)
        {
            case TokenKind.LParen or TokenKind.LBracket or TokenKind.LBrace:
                _brackets.Add((c, _line, _columns.Column(_lineStart, start)));
                if (_brackets.Count > NestingLimits.Brackets)
                {
                    // Still counted, so the closers match; reported once, at the first one too deep.
                    if (!_tooDeep)
                        Report(start, "too many nested parentheses");
                    _tooDeep = true;
                    Emit(TokenKind.Error, start, _pos, "");
                    return;
                }
                break;
            case TokenKind.RParen or TokenKind.RBracket or TokenKind.RBrace:
                if (_brackets.Count == 0)
                {
                    BracketError(start, $"unmatched '{c}'");
                    return;
                }
                var (open, line, _) = _brackets[^1];
                if (open != Opener(c))
                {
                    // If an outer bracket matches, the ones inside it were left open; otherwise
                    // the closer was mistyped and closes the innermost one.
                    int match = _brackets.FindLastIndex(b => b.Open == Opener(c));
                    _brackets.RemoveRange(match >= 0 ? match : _brackets.Count - 1, match >= 0 ? _brackets.Count - match : 1);
                    string where = line == _line ? "" : $" on line {line}";
                    BracketError(start, $"closing parenthesis '{c}' does not match opening parenthesis '{open}'{where}");
                    return;
                }
                _brackets.RemoveAt(_brackets.Count - 1);
                break;
        }
        Emit(kind, start, _pos, text);
    }

    private static char Opener(char close) => close switch { ')' => '(', ']' => '[', _ => '{' };

    // One bracket mistake usually upsets the closers after it, so only the first of a logical
    // line is reported; all become Error tokens.
    private void BracketError(int start, string message)
    {
        if (!_bracketErrorInLine)
            Report(start, message);
        _bracketErrorInLine = true;
        Emit(TokenKind.Error, start, _pos, "");
    }

    // ---- positions and output

    private void NextLine(int lineStart)
    {
        _line++;
        _lineStart = lineStart;
    }

    private void Emit(TokenKind kind, int start, int end, string text, object? value = null)
    {
        // Tokens other than strings never span lines, so both ends are on the current line.
        int col = _columns.Column(_lineStart, start);
        int endCol = col + CountCodePoints(start, end);
        _tokens.Add(new Token(kind, _line, col, _line, endCol, text, value));
    }

    private int CountCodePoints(int start, int end)
    {
        int n = 0;
        for (int i = start; i < end; i++)
            if (!char.IsLowSurrogate(_src[i]) || i == start || !char.IsHighSurrogate(_src[i - 1]))
                n++;
        return n;
    }

    private void ErrorToken(int start, int end, string message)
    {
        Report(start, message);
        Emit(TokenKind.Error, start, end, "");
    }

    private void Report(int at, string message) => Report((_line, _lineStart, at), message);

    private void Report((int Line, int LineStart, int At) where, string message) =>
        AddDiagnostic(where.Line, _columns.Column(where.LineStart, where.At), message);

    private void AddDiagnostic(int line, int col, string message) =>
        _diagnostics.Add(new Diagnostic(_file, line, col, _messagePrefix + message));
}

/// <summary>
/// Converts a source index into a 1-based column counted in code points, so that a character
/// outside the Basic Multilingual Plane counts once. It remembers the last answer and counts on
/// from there, which keeps the usual left-to-right queries linear in the line length.
/// </summary>
internal sealed class ColumnCounter(string source)
{
    private int _lineStart = -1;
    private int _index;
    private int _count;

    public int Column(int lineStart, int index)
    {
        if (lineStart != _lineStart || index < _index)
        {
            _lineStart = lineStart;
            _index = lineStart;
            _count = 0;
        }
        for (; _index < index; _index++)
            if (!char.IsLowSurrogate(source[_index]) || _index == lineStart || !char.IsHighSurrogate(source[_index - 1]))
                _count++;
        return _count + 1;
    }
}
