namespace Workflow.Values.Text;

/// <summary>repr() of a str exactly as CPython prints it.</summary>
internal static class StrRepr
{
    /// <summary>Quotes with ' unless the text holds ' and no "; escapes \\, the quote, \n \r \t, other control characters as \xNN, \uNNNN for non-printable; printable non-ASCII kept as is.</summary>
    public static string Repr(string s) => throw new NotImplementedException();
}
