namespace Workflow.Values.Text;

/// <summary>
/// The format-specification mini-language of format(), f-strings and str.format for the built-in
/// value kinds: [fill][align][sign][z][#][0][width][grouping][.precision][type].
/// </summary>
internal static class FormatSpec
{
    /// <summary>
    /// Formats [value] (bool, long, BigInteger, double or string) by [spec]. Any other value with an
    /// empty spec is Ops.Str(value); with a non-empty spec it raises TypeError
    /// "unsupported format string passed to T.__format__". Bad specs raise CPython's ValueErrors
    /// ("Unknown format code 'd' for object of type 'float'", …).
    /// </summary>
    public static string Format(object value, string spec) => throw new NotImplementedException();
}
