using System.Collections.Concurrent;
using Workflow.Runtime;
using Workflow.Values;

namespace Workflow.Builtins;

/// <summary>
/// `str.lower`, `list.append`: a C# method of a built-in type taken from the type, callable with
/// the receiver first. One function object per method, named "type.method", so that `is` holds and
/// the pickler can name it (map(str.upper, …) keeps it in a prelude frame).
/// </summary>
internal static class UnboundMethods
{
    private static readonly ConcurrentDictionary<(PyClass Type, string Name), BuiltinFunction> Made = new();
    private static readonly ConcurrentDictionary<BuiltinFunction, (PyClass Type, string Name)> Names = new(ReferenceEqualityComparer.Instance);

    /// <summary>The function for native method [name] of [owner] (the built-in type whose table has it), or null.</summary>
    public static BuiltinFunction? Get(PyClass owner, string name)
    {
        if (owner.NativeMethods == null || !owner.NativeMethods.TryGetValue(name, out var method)) return null;
        return Made.GetOrAdd((owner, name), key =>
        {
            var classMethod = owner == BuiltinTypes.Dict && DictMethods.ClassMethods.Contains(name);
            var made = new BuiltinFunction($"{owner.Name}.{name}", (args, kw) =>
            {
                // dict.fromkeys(keys): a class method is called without a receiver. It ignores the one
                // it gets; an empty dict stands in so that the call stays picklable when the prelude
                // reads a lazy iterable first (it calls the method back bound to that receiver).
                if (classMethod) return method(new PyDict(), args, kw);
                if (args.Length == 0) throw Errors.TypeError($"unbound method {owner.Name}.{name}() needs an argument");
                if (!BuiltinTypes.TypeOf(args[0]).IsSubclassOf(owner))
                    throw Errors.TypeError($"descriptor '{name}' for '{owner.Name}' objects doesn't apply to a '{Ops.TypeName(args[0])}' object");
                return method(args[0], args[1..], kw);
            });
            Names[made] = key;
            return made;
        });
    }

    /// <summary>The built-in type and method name of a function Get made, for the pickler.</summary>
    public static bool TryGetName(BuiltinFunction function, out PyClass owner, out string name)
    {
        if (Names.TryGetValue(function, out var key))
        {
            (owner, name) = key;
            return true;
        }
        owner = null!;
        name = null!;
        return false;
    }
}
