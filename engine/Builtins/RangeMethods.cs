using System.Numerics;
using Workflow.Values;

namespace Workflow.Builtins;

/// <summary>
/// The methods of range, by name, for the range type's method table. An int is found by
/// arithmetic (CPython's range_index); anything else is compared with the items as CPython's
/// sequence search would, which for the values a range holds means: an integral float equals the
/// matching int, nothing else equals any item.
/// </summary>
internal static class RangeMethods
{
    public static readonly Dictionary<string, NativeMethod> Table = new()
    {
        ["count"] = Count,
        ["index"] = Index,
    };

    private static object Count(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var value = MethodArgs.One("range", "count", args, kwargs);
        return Boxes.Int(((PyRange)self).Contains(value) ? 1 : 0);
    }

    private static object Index(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var value = MethodArgs.One("range", "index", args, kwargs);
        var range = (PyRange)self;
        if (PyRange.AsIntItem(value) is { } n && range.IndexOfInt(n) is { Sign: >= 0 } position)
            return position >= long.MinValue && position <= long.MaxValue ? Boxes.Int((long)position) : position;
        throw Errors.ValueError(value is long or bool or BigInteger ? $"{Ops.Repr(value)} is not in range" : "sequence.index(x): x not in sequence");
    }
}
