using Workflow.Runtime;
using Workflow.Values;

namespace Workflow.Builtins;

/// <summary>
/// Argument checks shared by the list, tuple and dict methods, with CPython's messages for each
/// calling convention: METH_NOARGS, METH_O, and Argument Clinic's positional-only parameters.
/// </summary>
internal static class MethodArgs
{
    /// <summary>METH_NOARGS: "list.copy() takes no arguments (1 given)".</summary>
    public static void None(string type, string name, object[] args, Dictionary<string, object>? kwargs)
    {
        if (kwargs is { Count: > 0 }) throw Errors.TypeError($"{type}.{name}() takes no keyword arguments");
        if (args.Length != 0) throw Errors.TypeError($"{type}.{name}() takes no arguments ({args.Length} given)");
    }

    /// <summary>METH_O: "list.append() takes exactly one argument (0 given)".</summary>
    public static object One(string type, string name, object[] args, Dictionary<string, object>? kwargs)
    {
        if (kwargs is { Count: > 0 }) throw Errors.TypeError($"{type}.{name}() takes no keyword arguments");
        if (args.Length != 1) throw Errors.TypeError($"{type}.{name}() takes exactly one argument ({args.Length} given)");
        return args[0];
    }

    /// <summary>Positional-only parameters: "pop expected at most 1 argument, got 2", "insert expected 2 arguments, got 1".</summary>
    public static void Positional(string type, string name, object[] args, Dictionary<string, object>? kwargs, int min, int max)
    {
        if (kwargs is { Count: > 0 }) throw Errors.TypeError($"{type}.{name}() takes no keyword arguments");
        int n = args.Length;
        if (n >= min && n <= max) return;
        if (min == max) throw Errors.TypeError($"{name} expected {min} argument{Plural(min)}, got {n}");
        if (n < min) throw Errors.TypeError($"{name} expected at least {min} argument{Plural(min)}, got {n}");
        throw Errors.TypeError($"{name} expected at most {max} argument{Plural(max)}, got {n}");
    }

    private static string Plural(int n) => n == 1 ? "" : "s";

    /// <summary>An index argument (Py_ssize_t through __index__); OverflowError beyond 64 bits.</summary>
    public static long AsSsize(object v) => v switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        System.Numerics.BigInteger => throw Errors.OverflowError("Python int too large to convert to C ssize_t"),
        _ => throw Errors.TypeError($"'{Ops.TypeName(v)}' object cannot be interpreted as an integer"),
    };

    /// <summary>A C int argument, such as sort's reverse flag.</summary>
    public static int AsCInt(object v)
    {
        if (v is System.Numerics.BigInteger) throw Errors.OverflowError("Python int too large to convert to C int");
        long l = AsSsize(v);
        if (l > int.MaxValue || l < int.MinValue) throw Errors.OverflowError("Python int too large to convert to C int");
        return (int)l;
    }

    /// <summary>
    /// The start and stop arguments of list.index and tuple.index, at [args][1] and [args][2]:
    /// ints only (not None), huge values clamped, negative ones counted from the end.
    /// </summary>
    public static (long Start, long Stop) SearchBounds(object[] args, int count)
    {
        long start = args.Length > 1 ? SliceIndex(args[1]) : 0;
        long stop = args.Length > 2 ? SliceIndex(args[2]) : long.MaxValue;
        if (start < 0) start = Math.Max(0, start + count);
        if (stop < 0) stop = Math.Max(0, stop + count);
        return (start, stop);
    }

    private static long SliceIndex(object v) => v switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        System.Numerics.BigInteger big => big.Sign < 0 ? long.MinValue : long.MaxValue,
        _ => throw Errors.TypeError("slice indices must be integers or have an __index__ method"),
    };
}
