using Workflow.Values;

namespace Workflow.Builtins;

/// <summary>Argument checking for built-in functions, with CPython's messages.</summary>
internal static class Arguments
{
    public static void Count(string name, object[] args, int min, int max)
    {
        if (args.Length < min)
        {
            throw Errors.TypeError(min == max
                ? $"{name}() takes exactly {(min == 1 ? "one argument" : $"{min} arguments")} ({args.Length} given)"
                : $"{name} expected at least {min} argument{(min == 1 ? "" : "s")}, got {args.Length}");
        }
        if (args.Length > max)
        {
            throw Errors.TypeError(min == max
                ? $"{name}() takes exactly {(max == 1 ? "one argument" : $"{max} arguments")} ({args.Length} given)"
                : $"{name} expected at most {max} argument{(max == 1 ? "" : "s")}, got {args.Length}");
        }
    }

    public static void NoKeywords(string name, Dictionary<string, object>? kwargs)
    {
        if (kwargs is { Count: > 0 }) throw Errors.TypeError($"{name}() takes no keyword arguments");
    }

    /// <summary>Takes keyword [key] out of [kwargs], or returns [fallback].</summary>
    public static object? Keyword(Dictionary<string, object>? kwargs, string key, object? fallback = null) =>
        kwargs != null && kwargs.TryGetValue(key, out var v) ? v : fallback;

    /// <summary>Fails on keywords other than [allowed].</summary>
    public static void OnlyKeywords(string name, Dictionary<string, object>? kwargs, params string[] allowed)
    {
        if (kwargs == null) return;
        foreach (var key in kwargs.Keys)
            if (Array.IndexOf(allowed, key) < 0) throw Errors.TypeError($"{name}() got an unexpected keyword argument '{key}'");
    }

    public static long Int(object v) => v switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        System.Numerics.BigInteger => throw Errors.OverflowError("Python int too large to convert to C long"),
        _ => throw Errors.TypeError($"'{Ops.TypeName(v)}' object cannot be interpreted as an integer"),
    };
}
