using System.Text;

namespace Workflow.Values.Text;

/// <summary>
/// CPython's per-character predicates and case mappings over code points, backed by the
/// generated UnicodeTables, with ASCII fast paths. Strings are UTF-16, so callers combine
/// surrogate pairs with [CodePointAt] first; a lone surrogate is a code point of its own
/// (the rule is written down in CodePoints, which does the index arithmetic).
/// </summary>
internal static class CharInfo
{
    /// <summary>The code point at [i] and how many UTF-16 units it takes (2 for a surrogate pair).</summary>
    public static int CodePointAt(string s, int i, out int length)
    {
        char c = s[i];
        if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
        {
            length = 2;
            return char.ConvertToUtf32(c, s[i + 1]);
        }
        length = 1;
        return c;
    }

    /// <summary>The code point that ends just before [i] (combining a surrogate pair) and its length.</summary>
    public static int CodePointBefore(string s, int i, out int length)
    {
        char c = s[i - 1];
        if (char.IsLowSurrogate(c) && i >= 2 && char.IsHighSurrogate(s[i - 2]))
        {
            length = 2;
            return char.ConvertToUtf32(s[i - 2], c);
        }
        length = 1;
        return c;
    }

    public static void AppendCodePoint(StringBuilder sb, int cp)
    {
        if (cp < 0x10000) sb.Append((char)cp);
        else
        {
            cp -= 0x10000;
            sb.Append((char)(0xD800 + (cp >> 10)));
            sb.Append((char)(0xDC00 + (cp & 0x3FF)));
        }
    }

    /// <summary>str.isspace for one character: Unicode White_Space plus the separators \x1c-\x1f.</summary>
    public static bool IsSpace(int cp) => cp switch
    {
        <= 0x20 => cp == 0x20 || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F),
        < 0x85 => false,
        _ => cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A)
             || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000,
    };

    /// <summary>The line boundaries of str.splitlines.</summary>
    public static bool IsLineBreak(int cp) =>
        (cp >= 0x0A && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1E) || cp == 0x85 || cp == 0x2028 || cp == 0x2029;

    public static bool IsPrintable(int cp) =>
        cp < 0x7F ? cp >= 0x20 : InRanges(UnicodeTables.Printable, cp);

    public static bool IsAlpha(int cp) =>
        cp < 0x80 ? (uint)((cp | 0x20) - 'a') <= 'z' - 'a' : InRanges(UnicodeTables.Alpha, cp);

    public static bool IsDecimal(int cp) =>
        cp < 0x80 ? (uint)(cp - '0') <= 9 : InRanges(UnicodeTables.Decimal, cp);

    /// <summary>The value 0-9 of a decimal digit (any script), or -1.</summary>
    public static int DecimalValue(int cp)
    {
        if (cp < 0x80) return (uint)(cp - '0') <= 9 ? cp - '0' : -1;
        int i = FindRange(UnicodeTables.Decimal, cp);
        // Each run of decimal digits is made of whole 0-9 blocks starting at a zero.
        return i < 0 ? -1 : (cp - UnicodeTables.Decimal[i]) % 10;
    }

    public static bool IsDigit(int cp) =>
        cp < 0x80 ? (uint)(cp - '0') <= 9 : InRanges(UnicodeTables.Digit, cp);

    public static bool IsNumeric(int cp) =>
        cp < 0x80 ? (uint)(cp - '0') <= 9 : InRanges(UnicodeTables.Numeric, cp);

    public static bool IsAlnum(int cp) => IsAlpha(cp) || IsDecimal(cp) || IsDigit(cp) || IsNumeric(cp);

    public static bool IsUpper(int cp) =>
        cp < 0x80 ? (uint)(cp - 'A') <= 'Z' - 'A' : InRanges(UnicodeTables.Upper, cp);

    public static bool IsLower(int cp) =>
        cp < 0x80 ? (uint)(cp - 'a') <= 'z' - 'a' : InRanges(UnicodeTables.Lower, cp);

    public static bool IsTitle(int cp) => cp >= 0x80 && InRanges(UnicodeTables.Title, cp);

    public static bool IsCased(int cp) =>
        cp < 0x80 ? (uint)((cp | 0x20) - 'a') <= 'z' - 'a' : InRanges(UnicodeTables.Cased, cp);

    public static bool IsCaseIgnorable(int cp) =>
        cp < 0x80 ? cp is '\'' or '.' or ':' or '^' or '`' : InRanges(UnicodeTables.CaseIgnorable, cp);

    public static bool IsXidStart(int cp) =>
        cp < 0x80 ? (uint)((cp | 0x20) - 'a') <= 'z' - 'a' || cp == '_' : InRanges(UnicodeTables.XidStart, cp);

    public static bool IsXidContinue(int cp) =>
        cp < 0x80 ? (uint)((cp | 0x20) - 'a') <= 'z' - 'a' || cp == '_' || (uint)(cp - '0') <= 9
                  : InRanges(UnicodeTables.XidContinue, cp);

    public static void AppendUpper(StringBuilder sb, int cp)
    {
        if (cp < 0x80) sb.Append((char)((uint)(cp - 'a') <= 'z' - 'a' ? cp - 32 : cp));
        else AppendMapped(sb, cp, UnicodeTables.ToUpperRuns, UnicodeTables.ToUpperSpecial);
    }

    public static void AppendLower(StringBuilder sb, int cp)
    {
        if (cp < 0x80) sb.Append((char)((uint)(cp - 'A') <= 'Z' - 'A' ? cp + 32 : cp));
        else AppendMapped(sb, cp, UnicodeTables.ToLowerRuns, UnicodeTables.ToLowerSpecial);
    }

    public static void AppendTitle(StringBuilder sb, int cp)
    {
        if (cp < 0x80) sb.Append((char)((uint)(cp - 'a') <= 'z' - 'a' ? cp - 32 : cp));
        else AppendMapped(sb, cp, UnicodeTables.ToTitleRuns, UnicodeTables.ToTitleSpecial);
    }

    public static void AppendFold(StringBuilder sb, int cp)
    {
        if (cp < 0x80) sb.Append((char)((uint)(cp - 'A') <= 'Z' - 'A' ? cp + 32 : cp));
        else AppendMapped(sb, cp, UnicodeTables.ToFoldRuns, UnicodeTables.ToFoldSpecial);
    }

    private static void AppendMapped(StringBuilder sb, int cp, int[] runs, Dictionary<int, string> special)
    {
        if (special.TryGetValue(cp, out var multi))
        {
            sb.Append(multi);
            return;
        }
        // Binary search over the runs' first code points (every 4th int).
        int lo = 0, hi = runs.Length / 4 - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            int first = runs[mid * 4];
            if (cp < first) hi = mid - 1;
            else if (cp > runs[mid * 4 + 1]) lo = mid + 1;
            else
            {
                int stride = runs[mid * 4 + 2];
                if ((cp - first) % stride == 0)
                {
                    AppendCodePoint(sb, cp + runs[mid * 4 + 3]);
                    return;
                }
                break;
            }
        }
        AppendCodePoint(sb, cp);
    }

    private static bool InRanges(int[] table, int cp) => FindRange(table, cp) >= 0;

    /// <summary>The index of the [first, last] pair in [table] holding [cp], or -1.</summary>
    private static int FindRange(int[] table, int cp)
    {
        int lo = 0, hi = table.Length / 2 - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            if (cp < table[mid * 2]) hi = mid - 1;
            else if (cp > table[mid * 2 + 1]) lo = mid + 1;
            else return mid * 2;
        }
        return -1;
    }
}
