using Workflow.Runtime;

namespace Workflow.Values.Text;

/// <summary>find, rfind, index, rindex, count, startswith and endswith, with slice-style start and end.</summary>
internal static partial class StrMethods
{
    private static object Find(object self, object[] args, Dictionary<string, object>? kwargs) =>
        Boxes.Int(FindIn("find", (string)self, args, kwargs, reverse: false));

    private static object RFind(object self, object[] args, Dictionary<string, object>? kwargs) =>
        Boxes.Int(FindIn("rfind", (string)self, args, kwargs, reverse: true));

    private static object Index(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        int k = FindIn("index", (string)self, args, kwargs, reverse: false);
        return k >= 0 ? Boxes.Int(k) : throw Errors.ValueError("substring not found");
    }

    private static object RIndex(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        int k = FindIn("rindex", (string)self, args, kwargs, reverse: true);
        return k >= 0 ? Boxes.Int(k) : throw Errors.ValueError("substring not found");
    }

    private static int FindIn(string name, string s, object[] args, Dictionary<string, object>? kwargs, bool reverse)
    {
        SearchArgs(name, args, kwargs);
        var (start, end) = CharBounds(s, args, 1);
        string sub = AsStr(args[0]);
        if (end - start < sub.Length) return -1;
        if (sub.Length == 0) return CodePoints.CodePointIndex(s, reverse ? end : start);
        int found = reverse ? CodePoints.LastIndexOf(s, sub, start, end) : CodePoints.IndexOf(s, sub, start, end);
        BuiltinWork.Chars(found < 0 ? end - start : reverse ? end - found : found + sub.Length - start);
        return found < 0 ? -1 : CodePoints.CodePointIndex(s, found);
    }

    /// <summary>The start and end arguments at [first] (code-point indexes, slice semantics) as char positions in [s].</summary>
    private static (int Start, int End) CharBounds(string s, object[] args, int first)
    {
        if (args.Length <= first) return (0, s.Length);
        var (start, end) = SliceBounds(args, first, CodePoints.Length(s));
        // An empty range may start past the end (find('', 9) on a short string finds nothing).
        if (start > end) return (s.Length + 1, s.Length);
        return (CodePoints.CharIndex(s, start), CodePoints.CharIndex(s, end));
    }

    private static object Count(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var s = (string)self;
        SearchArgs("count", args, kwargs);
        var (start, end) = CharBounds(s, args, 1);
        string sub = AsStr(args[0]);
        if (end - start < sub.Length) return Boxes.Int(0);
        // The empty string occurs at every position, both ends included.
        if (sub.Length == 0) return Boxes.Int(CodePoints.CodePointIndex(s, end) - CodePoints.CodePointIndex(s, start) + 1);
        BuiltinWork.Chars(end - start);
        return Boxes.Int(Occurrences(s, sub, start, end, long.MaxValue));
    }

    /// <summary>How many times [sub] (not empty) occurs in s[start:end] without overlapping, counting at most [max].</summary>
    private static long Occurrences(string s, string sub, int start, int end, long max)
    {
        long count = 0;
        for (int i = CodePoints.IndexOf(s, sub, start, end);
             i >= 0 && i + sub.Length <= end && count < max;
             i = CodePoints.IndexOf(s, sub, i + sub.Length, end))
        {
            count++;
        }
        return count;
    }

    private static object StartsWith(object self, object[] args, Dictionary<string, object>? kwargs) =>
        TailMatch("startswith", (string)self, args, kwargs, atEnd: false);

    private static object EndsWith(object self, object[] args, Dictionary<string, object>? kwargs) =>
        TailMatch("endswith", (string)self, args, kwargs, atEnd: true);

    private static object TailMatch(string name, string s, object[] args, Dictionary<string, object>? kwargs, bool atEnd)
    {
        SearchArgs(name, args, kwargs);
        var (start, end) = CharBounds(s, args, 1);
        switch (args[0])
        {
            case string sub:
                return Matches(s, sub, start, end, atEnd);
            case PyTuple tuple:
                // Items are checked lazily, as CPython does: a match before a bad item wins.
                foreach (var item in tuple.Items)
                {
                    if (item is not string option)
                        throw Errors.TypeError($"tuple for {name} must only contain str, not {Ops.TypeName(item)}");
                    if (Matches(s, option, start, end, atEnd)) return true;
                }
                return false;
            default:
                throw Errors.TypeError($"{name} first arg must be str or a tuple of str, not {Ops.TypeName(args[0])}");
        }
    }

    private static bool Matches(string s, string sub, int start, int end, bool atEnd)
    {
        if (end - sub.Length < start) return false;
        if (sub.Length == 0) return true;
        return CodePoints.OccursAt(s, sub, atEnd ? end - sub.Length : start);
    }
}
