using Workflow.Values;

namespace Workflow.Builtins;

/// <summary>The methods of tuple, by name, for the tuple type's method table.</summary>
internal static class TupleMethods
{
    public static readonly Dictionary<string, NativeMethod> Table = new()
    {
        ["count"] = Count,
        ["index"] = Index,
    };

    private static object Count(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var value = MethodArgs.One("tuple", "count", args, kwargs);
        long count = 0;
        foreach (var item in ((PyTuple)self).Items)
            if (ReferenceEquals(item, value) || Ops.Eq(item, value)) count++;
        return Boxes.Int(count);
    }

    /// <summary>tuple.index(value, start=0, stop=sys.maxsize, /).</summary>
    private static object Index(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        MethodArgs.Positional("tuple", "index", args, kwargs, 1, 3);
        var items = ((PyTuple)self).Items;
        var (start, stop) = MethodArgs.SearchBounds(args, items.Length);
        for (long i = start; i < stop && i < items.Length; i++)
        {
            var item = items[i];
            if (ReferenceEquals(item, args[0]) || Ops.Eq(item, args[0])) return Boxes.Int(i);
        }
        throw Errors.ValueError("tuple.index(x): x not in tuple");
    }
}
