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
        var (start, end) = SliceBounds(args, 1, s.Length);
        string sub = AsStr(args[0]);
        if (end - start < sub.Length) return -1;
        if (sub.Length == 0) return reverse ? end : start;
        int found = reverse
            ? s.LastIndexOf(sub, end - 1, end - start, StringComparison.Ordinal)
            : s.IndexOf(sub, start, end - start, StringComparison.Ordinal);
        BuiltinWork.Chars(found < 0 ? end - start : reverse ? end - found : found + sub.Length - start);
        return found;
    }

    private static object Count(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var s = (string)self;
        SearchArgs("count", args, kwargs);
        var (start, end) = SliceBounds(args, 1, s.Length);
        string sub = AsStr(args[0]);
        if (end - start < sub.Length) return Boxes.Int(0);
        // The empty string occurs at every position, both ends included.
        if (sub.Length == 0) return Boxes.Int(end - start + 1);
        BuiltinWork.Chars(end - start);
        return Boxes.Int(Occurrences(s, sub, start, end, long.MaxValue));
    }

    /// <summary>How many times [sub] (not empty) occurs in s[start:end] without overlapping, counting at most [max].</summary>
    private static long Occurrences(string s, string sub, int start, int end, long max)
    {
        long count = 0;
        for (int i = s.IndexOf(sub, start, end - start, StringComparison.Ordinal);
             i >= 0 && i + sub.Length <= end && count < max;
             i = s.IndexOf(sub, i + sub.Length, end - i - sub.Length, StringComparison.Ordinal))
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
        var (start, end) = SliceBounds(args, 1, s.Length);
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
        int offset = atEnd ? end - sub.Length : start;
        return string.CompareOrdinal(s, offset, sub, 0, sub.Length) == 0;
    }
}
