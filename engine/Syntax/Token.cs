namespace Workflow.Syntax;

internal enum TokenKind : byte
{
    EndOfFile,
    Newline,
    Indent,
    Dedent,
    Name,
    Number,
    String,

    // Something the lexer has already reported (an unterminated string, an unmatched bracket...).
    // The parser skips the rest of the logical line without adding a second message.
    Error,

    // A character that starts no token, such as `$`, `?` or a lone `!`. The lexer says nothing;
    // the parser reports "invalid syntax" where it stands, as CPython does.
    Unknown,

    LParen, RParen, LBracket, RBracket, LBrace, RBrace,
    Colon, Comma, Semicolon, Dot, Ellipsis, Arrow, At,
    Plus, Minus, Star, Slash, DoubleSlash, Percent, DoubleStar, Tilde,
    Amper, VBar, Circumflex, LeftShift, RightShift,
    Equal, EqEqual, NotEqual, Less, Greater, LessEqual, GreaterEqual, ColonEqual,
    PlusEqual, MinusEqual, StarEqual, SlashEqual, DoubleSlashEqual, PercentEqual, DoubleStarEqual,
    AmperEqual, VBarEqual, CircumflexEqual, LeftShiftEqual, RightShiftEqual, AtEqual,

    // Hard keywords. The soft keywords (`match`, `case`, `_`) are ordinary names.
    False, None, True, And, As, Assert, Async, Await, Break, Class, Continue, Def, Del,
    Elif, Else, Except, Finally, For, From, Global, If, Import, In, Is, Lambda, Nonlocal,
    Not, Or, Pass, Raise, Return, Try, While, With, Yield,
}

/// <summary>
/// One token. [Line]/[Col] locate its first character and [EndLine]/[EndCol] the character just
/// after it, all 1-based, columns counted in characters (code points) of the line. [Text] is the
/// identifier of a Name and the spelling of an operator or keyword; [Value] is the long,
/// BigInteger or double of a Number and the <see cref="StringLiteral"/> of a String.
/// </summary>
internal sealed record Token(
    TokenKind Kind, int Line, int Col, int EndLine, int EndCol, string Text, object? Value = null);

/// <summary>
/// The payload of one string token. A plain string is decoded by the lexer into [Value]. An
/// f-string keeps [Value] null: its body, the source range [BodyStart, BodyEnd) that starts on
/// line [BodyLine] whose first character is at [BodyLineStart], is split into literal text and
/// {fields} by the parser, because the fields are expressions.
/// </summary>
internal sealed record StringLiteral(
    string? Value, bool IsFString, bool IsRaw, int BodyStart, int BodyEnd, int BodyLine, int BodyLineStart);
