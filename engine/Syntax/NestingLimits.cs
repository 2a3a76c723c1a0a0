namespace Workflow.Syntax;

/// <summary>
/// How deep a program may nest. The parser and the compiler's passes (scope analysis, code
/// generation) walk the syntax tree recursively, so the depth of the tree is the depth of their
/// native stack: one deployed program nesting a hundred thousand levels deep would overflow it
/// and take the whole worker down. Input that nests deeper than these limits is a compile error
/// at the place where it crosses the limit, like any other syntax error.
/// </summary>
/// <remarks>
/// <para>
/// The costliest programs these limits allow (99 nested blocks around 200 nested calls, brackets,
/// lambdas or comprehensions) use about 230 KB of stack: less than a quarter of a 1 MB thread and a
/// sixth of ASP.NET's 1.5 MB thread-pool threads. NestingLimitTests compiles them on a 512 KB
/// thread, where the stack checks' 128 KB reserve leaves 384 KB.
/// </para>
/// <para>
/// That figure holds because the methods that recurse once per level (in Parser, ScopeAnalyzer
/// and CodeGen) are marked AggressiveOptimization: a method is first compiled unoptimized (tier 0),
/// where their frames are four to seven times larger (CodeGen.Expression's is 928 bytes rather
/// than 128), which would put the same programs near 700 KB on a fresh worker.
/// </para>
/// <para>
/// Long chains that do not nest in the tree (an `elif` chain, a long `and`, a call with many
/// arguments, a comprehension with many `for` clauses) are not limited: the passes walk them with
/// loops.
/// </para>
/// </remarks>
internal static class NestingLimits
{
    /// <summary>
    /// Levels of expression nesting: each operator, bracket, call, subscript, attribute access,
    /// lambda, conditional expression, starred item, `await` or `yield` around an operand is one
    /// level. Deeper is "expression nested too deeply". 200 is CPython's limit on nested brackets
    /// (MAXLEVEL in Parser/tokenizer.h), so any program CPython can parse for its brackets fits.
    /// </summary>
    public const int Expression = 200;

    /// <summary>
    /// Nested brackets, as CPython counts them (MAXLEVEL): deeper is "too many nested parentheses",
    /// reported by the lexer at the first bracket too many, in CPython's words.
    /// </summary>
    public const int Brackets = 200;

    /// <summary>
    /// Levels of indentation, CPython's MAXINDENT, which bounds how deep statements nest (a block
    /// always starts on an indented line): deeper is "too many levels of indentation".
    /// </summary>
    public const int IndentLevels = 100;

    public const string ExpressionTooDeep = "expression nested too deeply";
}
