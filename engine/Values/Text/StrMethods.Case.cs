using System.Text;

namespace Workflow.Values.Text;

/// <summary>upper, lower, casefold, capitalize, title and swapcase, with Unicode's full case mappings.</summary>
internal static partial class StrMethods
{
    private static object Upper(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        NoArgs("upper", args, kwargs);
        var s = (string)self;
        if (Ascii.IsValid(s)) return s.ToUpperInvariant();
        return MapEach(s, CharInfo.AppendUpper);
    }

    private static object Lower(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        NoArgs("lower", args, kwargs);
        var s = (string)self;
        if (Ascii.IsValid(s)) return s.ToLowerInvariant();
        return ToLower(s);
    }

    private static object CaseFold(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        NoArgs("casefold", args, kwargs);
        var s = (string)self;
        if (Ascii.IsValid(s)) return s.ToLowerInvariant();
        return MapEach(s, CharInfo.AppendFold);
    }

    private static object Capitalize(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        NoArgs("capitalize", args, kwargs);
        var s = (string)self;
        if (s.Length == 0) return s;
        var sb = new StringBuilder(s.Length);
        int first = CharInfo.CodePointAt(s, 0, out int len);
        CharInfo.AppendTitle(sb, first);
        for (int i = len; i < s.Length; i += len)
            AppendLowerAt(sb, s, i, out len);
        return sb.ToString();
    }

    private static object Title(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        NoArgs("title", args, kwargs);
        var s = (string)self;
        var sb = new StringBuilder(s.Length);
        bool previousCased = false;
        for (int i = 0, len; i < s.Length; i += len)
        {
            // Title-case a character that starts a word, lower-case the rest of the word.
            int cp = CharInfo.CodePointAt(s, i, out len);
            if (previousCased) AppendLowerAt(sb, s, i, out len);
            else CharInfo.AppendTitle(sb, cp);
            previousCased = CharInfo.IsCased(cp);
        }
        return sb.ToString();
    }

    private static object SwapCase(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        NoArgs("swapcase", args, kwargs);
        var s = (string)self;
        var sb = new StringBuilder(s.Length);
        for (int i = 0, len; i < s.Length; i += len)
        {
            int cp = CharInfo.CodePointAt(s, i, out len);
            if (CharInfo.IsUpper(cp)) AppendLowerAt(sb, s, i, out len);
            else if (CharInfo.IsLower(cp)) CharInfo.AppendUpper(sb, cp);
            else CharInfo.AppendCodePoint(sb, cp);
        }
        return sb.ToString();
    }

    private static string MapEach(string s, Action<StringBuilder, int> map)
    {
        var sb = new StringBuilder(s.Length);
        for (int i = 0, len; i < s.Length; i += len)
            map(sb, CharInfo.CodePointAt(s, i, out len));
        return sb.ToString();
    }

    /// <summary>lower() for non-ASCII text: the full mapping, with the Greek final-sigma rule.</summary>
    private static string ToLower(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (int i = 0, len; i < s.Length; i += len)
            AppendLowerAt(sb, s, i, out len);
        return sb.ToString();
    }

    /// <summary>Appends the lower case of the code point at [i], which is ς rather than σ for a capital sigma ending a word.</summary>
    private static void AppendLowerAt(StringBuilder sb, string s, int i, out int len)
    {
        int cp = CharInfo.CodePointAt(s, i, out len);
        if (cp == 0x3A3) sb.Append(IsFinalSigma(s, i) ? 'ς' : 'σ');
        else CharInfo.AppendLower(sb, cp);
    }

    /// <summary>
    /// Unicode's Final_Sigma context: a cased letter before the sigma (skipping case-ignorable
    /// characters), and none after it.
    /// </summary>
    private static bool IsFinalSigma(string s, int i)
    {
        int j = i, cp = 0, len;
        bool found = false;
        while (j > 0)
        {
            cp = CharInfo.CodePointBefore(s, j, out len);
            j -= len;
            if (!CharInfo.IsCaseIgnorable(cp))
            {
                found = true;
                break;
            }
        }
        if (!found || !CharInfo.IsCased(cp)) return false;
        for (j = i + 1; j < s.Length; j += len)
        {
            cp = CharInfo.CodePointAt(s, j, out len);
            if (!CharInfo.IsCaseIgnorable(cp)) return !CharInfo.IsCased(cp);
        }
        return true;
    }
}
