using Workflow.Runtime;

namespace Workflow.Values.Text;

/// <summary>split, rsplit, splitlines, partition and rpartition.</summary>
internal static partial class StrMethods
{
    private static readonly string[] SplitParameters = { "sep", "maxsplit" };

    private static object Split(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var (sep, max) = SplitArgs("split", args, kwargs);
        var s = (string)self;
        return SplitResult(s, sep == null ? SplitWhitespace(s, max) : SplitOn(s, sep, max));
    }

    private static object RSplit(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var (sep, max) = SplitArgs("rsplit", args, kwargs);
        var s = (string)self;
        return SplitResult(s, sep == null ? RSplitWhitespace(s, max) : RSplitOn(s, sep, max));
    }

    /// <summary>
    /// The list split() returns, charged and checked: a string of one-character words splits into
    /// four times its own size in list slots, so a str under the value limit can make a list over it.
    /// </summary>
    private static PyList SplitResult(string s, List<object> parts)
    {
        BuiltinWork.Chars(s.Length);
        ValueSize.EnsureItems(parts.Count);
        return new PyList(parts);
    }

    /// <summary>The separator (null for whitespace) and the split limit (long.MaxValue for none).</summary>
    private static (string? Sep, long Max) SplitArgs(string name, object[] args, Dictionary<string, object>? kwargs)
    {
        var bound = args.Length <= 2 && kwargs == null ? null : Bind(name, SplitParameters, args, kwargs);
        object? sepArg = bound != null ? bound[0] : args.Length > 0 ? args[0] : null;
        object? maxArg = bound != null ? bound[1] : args.Length > 1 ? args[1] : null;
        // Argument Clinic converts maxsplit before the method body checks sep.
        long max = maxArg == null ? -1 : AsIndex(maxArg);
        string? sep = sepArg switch
        {
            null or PyNone => null,
            string str => str,
            _ => throw Errors.TypeError($"must be str or None, not {Ops.TypeName(sepArg)}"),
        };
        if (sep is { Length: 0 }) throw Errors.ValueError("empty separator");
        return (sep, max < 0 ? long.MaxValue : max);
    }

    private static List<object> SplitWhitespace(string s, long max)
    {
        var parts = new List<object>();
        int i = 0, n = s.Length;
        while (max-- > 0)
        {
            while (i < n && CharInfo.IsSpace(s[i])) i++;
            if (i == n) break;
            int j = i++;
            while (i < n && !CharInfo.IsSpace(s[i])) i++;
            parts.Add(j == 0 && i == n ? s : s.Substring(j, i - j));
        }
        if (i < n)
        {
            // The limit was reached: the rest, without its leading whitespace, is the last part.
            while (i < n && CharInfo.IsSpace(s[i])) i++;
            if (i != n) parts.Add(s.Substring(i));
        }
        return parts;
    }

    private static List<object> RSplitWhitespace(string s, long max)
    {
        var parts = new List<object>();
        int i = s.Length - 1;
        while (max-- > 0)
        {
            while (i >= 0 && CharInfo.IsSpace(s[i])) i--;
            if (i < 0) break;
            int j = i--;
            while (i >= 0 && !CharInfo.IsSpace(s[i])) i--;
            parts.Add(i + 1 == 0 && j + 1 == s.Length ? s : s.Substring(i + 1, j - i));
        }
        if (i >= 0)
        {
            while (i >= 0 && CharInfo.IsSpace(s[i])) i--;
            if (i >= 0) parts.Add(s.Substring(0, i + 1));
        }
        parts.Reverse();
        return parts;
    }

    private static List<object> SplitOn(string s, string sep, long max)
    {
        var parts = new List<object>();
        int start = 0;
        while (max-- > 0)
        {
            int k = CodePoints.IndexOf(s, sep, start, s.Length);
            if (k < 0) break;
            parts.Add(s.Substring(start, k - start));
            start = k + sep.Length;
        }
        parts.Add(start == 0 ? s : s.Substring(start));
        return parts;
    }

    private static List<object> RSplitOn(string s, string sep, long max)
    {
        var parts = new List<object>();
        int end = s.Length;
        while (max-- > 0 && end >= sep.Length)
        {
            int k = CodePoints.LastIndexOf(s, sep, 0, end);
            if (k < 0) break;
            parts.Add(s.Substring(k + sep.Length, end - k - sep.Length));
            end = k;
        }
        parts.Add(end == s.Length ? s : s.Substring(0, end));
        parts.Reverse();
        return parts;
    }

    private static readonly string[] SplitLinesParameters = { "keepends" };

    private static object SplitLines(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var bound = Bind("splitlines", SplitLinesParameters, args, kwargs);
        bool keepEnds = bound[0] != null && AsCInt(bound[0]!) != 0;
        var s = (string)self;
        var lines = new List<object>();
        int i = 0, n = s.Length;
        while (i < n)
        {
            int j = i;
            while (i < n && !CharInfo.IsLineBreak(s[i])) i++;
            int eol = i;
            if (i < n)
            {
                // \r\n is one line break.
                i += s[i] == '\r' && i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
                if (keepEnds) eol = i;
            }
            lines.Add(j == 0 && eol == n ? s : s.Substring(j, eol - j));
        }
        return new PyList(lines);
    }

    private static object Partition(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var s = (string)self;
        string sep = PartitionSeparator("partition", args, kwargs);
        int k = CodePoints.IndexOf(s, sep, 0, s.Length);
        if (k < 0) return PyTuple.Of(s, "", "");
        return PyTuple.Of(s.Substring(0, k), sep, s.Substring(k + sep.Length));
    }

    private static object RPartition(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var s = (string)self;
        string sep = PartitionSeparator("rpartition", args, kwargs);
        int k = CodePoints.LastIndexOf(s, sep, 0, s.Length);
        if (k < 0) return PyTuple.Of("", "", s);
        return PyTuple.Of(s.Substring(0, k), sep, s.Substring(k + sep.Length));
    }

    private static string PartitionSeparator(string name, object[] args, Dictionary<string, object>? kwargs)
    {
        string sep = AsStr(OneArg(name, args, kwargs));
        if (sep.Length == 0) throw Errors.ValueError("empty separator");
        return sep;
    }
}
