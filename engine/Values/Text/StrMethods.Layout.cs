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
            string text => CodePoints(text),
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

    /// <summary>The characters of [s] as one-character strings (a surrogate pair stays together).</summary>
    private static IEnumerable<object> CodePoints(string s)
    {
        for (int i = 0, len; i < s.Length; i += len)
        {
            CharInfo.CodePointAt(s, i, out len);
            yield return s.Substring(i, len);
        }
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
            for (int i = 0; i < s.Length; i++)
            {
                if (done < count)
                {
                    sb.Append(replacement);
                    done++;
                }
                sb.Append(s[i]);
            }
            if (done < count) sb.Append(replacement);
            return sb.ToString();
        }
        if (count == long.MaxValue) return s.Replace(old, replacement, StringComparison.Ordinal);
        var result = new StringBuilder(s.Length);
        int start = 0;
        while (count-- > 0)
        {
            int k = s.IndexOf(old, start, StringComparison.Ordinal);
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
        long most = Math.Min(count, old.Length == 0 ? s.Length + 1L : s.Length / old.Length);
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
        else
        {
            if (left) while (start < end && chars.Contains(s[start])) start++;
            if (right) while (end > start && chars.Contains(s[end - 1])) end--;
        }
        return start == 0 && end == s.Length ? s : s.Substring(start, end - start);
    }

    private static object RemovePrefix(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var s = (string)self;
        string prefix = AsClinicStr(OneArg("removeprefix", args, kwargs), "removeprefix() argument");
        return prefix.Length > 0 && s.StartsWith(prefix, StringComparison.Ordinal) ? s.Substring(prefix.Length) : s;
    }

    private static object RemoveSuffix(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var s = (string)self;
        string suffix = AsClinicStr(OneArg("removesuffix", args, kwargs), "removesuffix() argument");
        return suffix.Length > 0 && s.EndsWith(suffix, StringComparison.Ordinal) ? s.Substring(0, s.Length - suffix.Length) : s;
    }

    private static object ZFill(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var s = (string)self;
        long width = AsIndex(OneArg("zfill", args, kwargs));
        int length = CharInfo.CodePointCount(s);
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
        int length = CharInfo.CodePointCount(s);
        if (length >= width) return s;
        int margin = PaddingTo(width, s, length);
        // CPython's rounding: the odd character goes left only when both margin and width are odd.
        int left = margin / 2 + (margin & (int)width & 1);
        return new string(fill, left) + s + new string(fill, margin - left);
    }

    private static object LJust(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var s = (string)self;
        var (width, fill) = PadArgs("ljust", args, kwargs);
        int length = CharInfo.CodePointCount(s);
        return length >= width ? s : s + new string(fill, PaddingTo(width, s, length));
    }

    private static object RJust(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var s = (string)self;
        var (width, fill) = PadArgs("rjust", args, kwargs);
        int length = CharInfo.CodePointCount(s);
        return length >= width ? s : new string(fill, PaddingTo(width, s, length)) + s;
    }

    private static (long Width, char Fill) PadArgs(string name, object[] args, Dictionary<string, object>? kwargs)
    {
        VarArgs(name, args, kwargs, 1, 2);
        long width = AsIndex(args[0]);
        char fill = ' ';
        if (args.Length > 1)
        {
            if (args[1] is not string f)
                throw Errors.TypeError($"The fill character must be a unicode character, not {Ops.TypeName(args[1])}");
            if (f.Length != 1) throw Errors.TypeError("The fill character must be exactly one character long");
            fill = f[0];
        }
        return (width, fill);
    }

    /// <summary>
    /// How many fill characters pad [s], of [length] code points, to [width] code points; a padded
    /// string over the value limit is refused (MemoryError) before it is made.
    /// </summary>
    private static int PaddingTo(long width, string s, int length)
    {
        ValueSize.EnsureChars(width - length + s.Length);
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
        foreach (char c in s)
        {
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
                column++;
                if (c == '\n' || c == '\r') column = 0;
            }
        }
        return sb.ToString();
    }
}
