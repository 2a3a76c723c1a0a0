namespace Workflow.Boundary;

/// <summary>
/// An id or name a client gave (or a workflow gave to <c>signal()</c> or <c>child()</c>) breaks one of
/// <see cref="NameRules"/>; the message names the rule and the position of the offending character.
/// </summary>
internal sealed class InvalidNameException(NameKind kind, string message) : FormatException(message)
{
    /// <summary>Which kind of name was refused, so the REST API can answer invalid_id or invalid_name.</summary>
    public NameKind Kind { get; } = kind;
}
