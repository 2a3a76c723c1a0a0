namespace Workflow.Boundary;

/// <summary>
/// Text that <see cref="StrictJson"/> refused. The message is "line L, position P: what is wrong",
/// where P counts the characters of line L from 1 and points at the offending character (or just
/// past the end when the text stops early); <see cref="Naming"/> puts which text it was in front.
/// </summary>
internal sealed class InvalidJsonException(int line, int position, string reason, string? what = null)
    : FormatException($"{(what == null ? "" : $"the {what} is not JSON: ")}line {line}, position {position}: {reason}")
{
    public int Line { get; } = line;
    public int Position { get; } = position;
    public string Reason { get; } = reason;

    /// <summary>The same refusal, said of [what]: "the input is not JSON: line 1, position 9: …".</summary>
    public InvalidJsonException Naming(string what) => new(Line, Position, Reason, what);
}
