using Workflow.Runtime;
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
        var items = ((PyTuple)self).Items;
        // An item compared by a user __eq__: the prelude counts, each comparison a frame.
        var vm = Interpreter.Current;
        return vm.ScriptFreeOr(() => Boxes.Int(Ops.CountItems(items, value)), () => vm.CallPrelude("_list_count", self, value));
    }

    /// <summary>tuple.index(value, start=0, stop=sys.maxsize, /).</summary>
    private static object Index(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        MethodArgs.Positional("tuple", "index", args, kwargs, 1, 3);
        var items = ((PyTuple)self).Items;
        var (start, stop) = MethodArgs.SearchBounds(args, items.Length);
        var vm = Interpreter.Current;
        return vm.ScriptFreeOr(() =>
        {
            long found = Ops.IndexOfItem(items, args[0], start, stop);
            return found >= 0 ? Boxes.Int(found) : throw Errors.ValueError("tuple.index(x): x not in tuple");
        }, () => vm.CallPrelude("_tuple_index", self, args[0], Boxes.Int(start), Boxes.Int(stop)));
    }
}
