using System.Text;

namespace Workflow.Values.Text;

/// <summary>repr() of a str exactly as CPython prints it.</summary>
internal static class StrRepr
{
    /// <summary>Quotes with ' unless the text holds ' and no "; escapes \\, the quote, \n \r \t, other control characters as \xNN, \uNNNN for non-printable; printable non-ASCII kept as is.</summary>
    public static string Repr(string s)
    {
        char quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        if (IsPlain(s, quote)) return quote + s + quote;

        var sb = new StringBuilder(s.Length + 8);
        sb.Append(quote);
        for (int i = 0; i < s.Length;)
        {
            int cp = CharInfo.CodePointAt(s, i, out int len);
            i += len;
            if (cp == quote || cp == '\\')
            {
                sb.Append('\\').Append((char)cp);
            }
            else if (cp == '\t') sb.Append("\\t");
            else if (cp == '\n') sb.Append("\\n");
            else if (cp == '\r') sb.Append("\\r");
            else if (cp < 0x20 || cp == 0x7F) AppendHex(sb, 'x', cp, 2);
            else if (cp < 0x7F) sb.Append((char)cp);
            else if (CharInfo.IsPrintable(cp)) CharInfo.AppendCodePoint(sb, cp);
            else AppendEscape(sb, cp);
        }
        sb.Append(quote);
        return sb.ToString();
    }

    /// <summary>ascii() given repr()'s text: every non-ASCII character becomes \xNN, \uNNNN or \UNNNNNNNN.</summary>
    public static string EscapeNonAscii(string repr)
    {
        if (System.Text.Ascii.IsValid(repr)) return repr;
        var sb = new StringBuilder(repr.Length + 16);
        for (int i = 0; i < repr.Length;)
        {
            int cp = CharInfo.CodePointAt(repr, i, out int len);
            i += len;
            if (cp < 0x80) sb.Append((char)cp);
            else AppendEscape(sb, cp);
        }
        return sb.ToString();
    }

    private static void AppendEscape(StringBuilder sb, int cp)
    {
        if (cp <= 0xFF) AppendHex(sb, 'x', cp, 2);
        else if (cp <= 0xFFFF) AppendHex(sb, 'u', cp, 4);
        else AppendHex(sb, 'U', cp, 8);
    }

    /// <summary>True when no character of [s] needs an escape, the common case.</summary>
    private static bool IsPlain(string s, char quote)
    {
        foreach (char c in s)
            if (c < 0x20 || c >= 0x7F || c == quote || c == '\\') return false;
        return true;
    }

    private static void AppendHex(StringBuilder sb, char kind, int cp, int width)
    {
        sb.Append('\\').Append(kind);
        sb.Append(cp.ToString(width == 2 ? "x2" : width == 4 ? "x4" : "x8", System.Globalization.CultureInfo.InvariantCulture));
    }
}
