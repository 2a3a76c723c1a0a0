namespace Workflow.Pickling;

/// <summary>
/// A str holding a lone surrogate (CPython allows '\ud800'; see Values.Text.CodePoints) cannot be
/// a JSON string in a UTF-8 pickle: encoding it to UTF-8 turns the surrogate into U+FFFD, and
/// Json.NET reads an escaped lone surrogate as U+FFFD too. Such a str is pickled as
/// {"utf16": "d800 as hex"}: its UTF-16 code units, four lower-case hex digits each. Every other
/// str stays a plain JSON string, so pickles without lone surrogates are unchanged.
/// </summary>
internal static class PickledText
{
    public const string Tag = "utf16";

    public static string ToHex(string s) => string.Create(s.Length * 4, s, static (span, text) =>
    {
        for (int i = 0; i < text.Length; i++) ((int)text[i]).TryFormat(span.Slice(i * 4, 4), out _, "x4");
    });

    /// <summary>The text [hex] encodes, or null when it is not whole groups of four hex digits.</summary>
    public static string? FromHex(string hex)
    {
        if (hex.Length % 4 != 0) return null;
        var chars = new char[hex.Length / 4];
        for (int i = 0; i < chars.Length; i++)
        {
            if (!ushort.TryParse(hex.AsSpan(i * 4, 4), System.Globalization.NumberStyles.AllowHexSpecifier,
                    System.Globalization.CultureInfo.InvariantCulture, out var unit))
                return null;
            chars[i] = (char)unit;
        }
        return new string(chars);
    }
}
