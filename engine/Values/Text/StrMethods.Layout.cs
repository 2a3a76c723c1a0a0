using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using Workflow.Runtime;

namespace Workflow.Values.Text;

/// <summary>join, replace, the strip family, prefix/suffix removal and padding.</summary>
internal static partial class StrMethods
{
    private static object Join(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var sep = (string)self;
        object iterable = OneArg("join", args, kwargs);
        IEnumerable<object> items = iterable switch
        {
            PyList list => list.Items.ToArray(),
            PyTuple tuple => tuple.Items,
            string text => CodePoints.Characters(text),
            long or BigInteger or double or bool or PyNone => throw Errors.TypeError("can only join an iterable"),
            _ => Ops.Iterate(iterable),
        };
        // As in CPython, every part is checked and the result's length summed before any text is copied.
        var parts = new List<string>();
        long length = 0;
        int work = 0;
        foreach (var item in items)
        {
            if (item is not string str)
                throw Errors.TypeError($"sequence item {parts.Count}: expected str instance, {Ops.TypeName(item)} found");
            BuiltinWork.Step(ref work);
            length += str.Length + (parts.Count > 0 ? sep.Length : 0);
            parts.Add(str);
        }
        ValueSize.EnsureChars(length);
        BuiltinWork.Chars(length);
        return string.Join(sep, CollectionsMarshal.AsSpan(parts));
    }

    private static object Replace(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var s = (string)self;
        VarArgs("replace", args, kwargs, 2, 3);
        string old = AsClinicStr(args[0], "replace() argument 1");
        string replacement = AsClinicStr(args[1], "replace() argument 2");
        long count = args.Length > 2 ? AsIndex(args[2]) : -1;
        if (count < 0) count = long.MaxValue;
        if (count == 0) return s;
        EnsureReplacementFits(s, old, replacement, count);
        BuiltinWork.Chars(s.Length);
        if (old.Length == 0)
        {
            // The empty string matches before every character and at the end.
            var sb = new StringBuilder((int)(s.Length + replacement.Length * Math.Min(count, s.Length + 1L)));
            long done = 0;
            for (int i = 0, units; i < s.Length; i += units)
            {
                if (done < count)
                {
                    sb.Append(replacement);
                    done++;
                }
                units = CodePoints.UnitsAt(s, i);
                sb.Append(s, i, units);
            }
            if (done < count) sb.Append(replacement);
            return sb.ToString();
        }
        if (count == long.MaxValue && !CodePoints.CanSplitPair(old))
            return s.Replace(old, replacement, StringComparison.Ordinal);
        var result = new StringBuilder(s.Length);
        int start = 0;
        while (count-- > 0)
        {
            int k = CodePoints.IndexOf(s, old, start, s.Length);
            if (k < 0) break;
            result.Append(s, start, k - start).Append(replacement);
            start = k + old.Length;
        }
        if (start == 0) return s;
        result.Append(s, start, s.Length - start);
        return result.ToString();
    }

    /// <summary>
    /// Refuses (MemoryError) a replace whose result would pass the value limit, before building it.
    /// Only when the replacement is longer and the result could be big are the matches counted.
    /// </summary>
    private static void EnsureReplacementFits(string s, string old, string replacement, long count)
    {
        long growth = replacement.Length - old.Length;
        if (growth <= 0) return;
        // The empty string matches before every character and at the end.
        long most = Math.Min(count, old.Length == 0 ? CodePoints.Length(s) + 1L : s.Length / old.Length);
        if (s.Length + most * growth <= ValueSize.UncheckedChars) return;
        long matches = old.Length == 0 ? most : Occurrences(s, old, 0, s.Length, count);
        ValueSize.EnsureChars(s.Length + matches * growth);
    }

    private static object Strip(object self, object[] args, Dictionary<string, object>? kwargs) =>
        StripSides("strip", (string)self, args, kwargs, left: true, right: true);

    private static object LStrip(object self, object[] args, Dictionary<string, object>? kwargs) =>
        StripSides("lstrip", (string)self, args, kwargs, left: true, right: false);

    private static object RStrip(object self, object[] args, Dictionary<string, object>? kwargs) =>
        StripSides("rstrip", (string)self, args, kwargs, left: false, right: true);

    private static string StripSides(string name, string s, object[] args, Dictionary<string, object>? kwargs, bool left, bool right)
    {
        VarArgs(name, args, kwargs, 0, 1);
        string? chars = args.Length == 0 ? null : args[0] switch
        {
            PyNone => null,
            string c => c,
            _ => throw Errors.TypeError($"{name} arg must be None or str"),
        };
        int start = 0, end = s.Length;
        if (chars == null)
        {
            if (left) while (start < end && CharInfo.IsSpace(s[start])) start++;
            if (right) while (end > start && CharInfo.IsSpace(s[end - 1])) end--;
        }
        else if (CodePoints.IsBmpOnly(chars))
        {
            // A surrogate of [s] is never in [chars], so a pair is never cut.
            if (left) while (start < end && chars.Contains(s[start])) start++;
            if (right) while (end > start && chars.Contains(s[end - 1])) end--;
        }
        else
        {
            var set = new HashSet<int>();
            for (int i = 0, len; i < chars.Length; i += len) set.Add(CharInfo.CodePointAt(chars, i, out len));
            int units;
            if (left) while (start < end && set.Contains(CharInfo.CodePointAt(s, start, out units))) start += units;
            if (right) while (end > start && set.Contains(CharInfo.CodePointBefore(s, end, out units))) end -= units;
        }
        return start == 0 && end == s.Length ? s : s.Substring(start, end - start);
    }

    private static object RemovePrefix(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var s = (string)self;
        string prefix = AsClinicStr(OneArg("removeprefix", args, kwargs), "removeprefix() argument");
        return prefix.Length > 0 && prefix.Length <= s.Length && CodePoints.OccursAt(s, prefix, 0) ? s.Substring(prefix.Length) : s;
    }

    private static object RemoveSuffix(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var s = (string)self;
        string suffix = AsClinicStr(OneArg("removesuffix", args, kwargs), "removesuffix() argument");
        return suffix.Length > 0 && suffix.Length <= s.Length && CodePoints.OccursAt(s, suffix, s.Length - suffix.Length)
            ? s.Substring(0, s.Length - suffix.Length)
            : s;
    }

    private static object ZFill(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var s = (string)self;
        long width = AsIndex(OneArg("zfill", args, kwargs));
        int length = CodePoints.Length(s);
        if (length >= width) return s;
        int fill = PaddingTo(width, s, length);
        var chars = new char[fill + s.Length];
        chars.AsSpan(0, fill).Fill('0');
        s.CopyTo(0, chars, fill, s.Length);
        // A leading sign moves in front of the zeros.
        if (s.Length > 0 && (s[0] == '+' || s[0] == '-'))
        {
            chars[0] = s[0];
            chars[fill] = '0';
        }
        return new string(chars);
    }

    private static object Center(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var s = (string)self;
        var (width, fill) = PadArgs("center", args, kwargs);
        int length = CodePoints.Length(s);
        if (length >= width) return s;
        int margin = PaddingTo(width, s, length, fill);
        // CPython's rounding: the odd character goes left only when both margin and width are odd.
        int left = margin / 2 + (margin & (int)width & 1);
        return CodePoints.Repeat(fill, left) + s + CodePoints.Repeat(fill, margin - left);
    }

    private static object LJust(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var s = (string)self;
        var (width, fill) = PadArgs("ljust", args, kwargs);
        int length = CodePoints.Length(s);
        return length >= width ? s : s + CodePoints.Repeat(fill, PaddingTo(width, s, length, fill));
    }

    private static object RJust(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var s = (string)self;
        var (width, fill) = PadArgs("rjust", args, kwargs);
        int length = CodePoints.Length(s);
        return length >= width ? s : CodePoints.Repeat(fill, PaddingTo(width, s, length, fill)) + s;
    }

    /// <summary>The width and the fill character: one code point, so one or two chars.</summary>
    private static (long Width, string Fill) PadArgs(string name, object[] args, Dictionary<string, object>? kwargs)
    {
        VarArgs(name, args, kwargs, 1, 2);
        long width = AsIndex(args[0]);
        string fill = " ";
        if (args.Length > 1)
        {
            if (args[1] is not string f)
                throw Errors.TypeError($"The fill character must be a unicode character, not {Ops.TypeName(args[1])}");
            if (!CodePoints.IsOneCodePoint(f)) throw Errors.TypeError("The fill character must be exactly one character long");
            fill = f;
        }
        return (width, fill);
    }

    /// <summary>
    /// How many fill characters pad [s], of [length] code points, to [width] code points; a padded
    /// string over the value limit (counting chars: an astral [fill] takes two) is refused
    /// (MemoryError) before it is made.
    /// </summary>
    private static int PaddingTo(long width, string s, int length, string fill = "0")
    {
        ValueSize.EnsureChars(Math.Min(width - length, long.MaxValue / 4) * fill.Length + s.Length);
        return (int)(width - length);
    }

    private static readonly string[] ExpandTabsParameters = { "tabsize" };

    private static object ExpandTabs(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var s = (string)self;
        var bound = Bind("expandtabs", ExpandTabsParameters, args, kwargs);
        int tabSize = bound[0] == null ? 8 : AsCInt(bound[0]!);
        if (!s.Contains('\t')) return s;
        var sb = new StringBuilder(s.Length + 16);
        int column = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '\t')
            {
                if (tabSize > 0)
                {
                    int spaces = tabSize - column % tabSize;
                    ValueSize.EnsureChars((long)sb.Length + spaces);
                    sb.Append(' ', spaces);
                    column += spaces;
                }
            }
            else
            {
                sb.Append(c);
                // The column counts code points: the low half of a pair takes none.
                if (!char.IsLowSurrogate(c) || CodePoints.IsBoundary(s, i)) column++;
                if (c == '\n' || c == '\r') column = 0;
            }
        }
        return sb.ToString();
    }
}
