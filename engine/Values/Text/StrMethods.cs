using System.Numerics;

namespace Workflow.Values.Text;

/// <summary>
/// The methods of str, by name, for the str type's method table. Each receives the string as
/// [self]; argument errors use the wording of the CPython function they mirror, which differs by
/// how CPython declares it (Argument Clinic, METH_VARARGS, METH_O or METH_NOARGS).
/// </summary>
internal static partial class StrMethods
{
    public static readonly Dictionary<string, NativeMethod> Table = new()
    {
        ["split"] = Split,
        ["rsplit"] = RSplit,
        ["splitlines"] = SplitLines,
        ["partition"] = Partition,
        ["rpartition"] = RPartition,
        ["join"] = Join,
        ["strip"] = Strip,
        ["lstrip"] = LStrip,
        ["rstrip"] = RStrip,
        ["replace"] = Replace,
        ["removeprefix"] = RemovePrefix,
        ["removesuffix"] = RemoveSuffix,
        ["zfill"] = ZFill,
        ["center"] = Center,
        ["ljust"] = LJust,
        ["rjust"] = RJust,
        ["expandtabs"] = ExpandTabs,
        ["upper"] = Upper,
        ["lower"] = Lower,
        ["casefold"] = CaseFold,
        ["capitalize"] = Capitalize,
        ["title"] = Title,
        ["swapcase"] = SwapCase,
        ["startswith"] = StartsWith,
        ["endswith"] = EndsWith,
        ["find"] = Find,
        ["rfind"] = RFind,
        ["index"] = Index,
        ["rindex"] = RIndex,
        ["count"] = Count,
        ["isdigit"] = IsDigit,
        ["isdecimal"] = IsDecimal,
        ["isnumeric"] = IsNumeric,
        ["isalpha"] = IsAlpha,
        ["isalnum"] = IsAlnum,
        ["isspace"] = IsSpace,
        ["isupper"] = IsUpper,
        ["islower"] = IsLower,
        ["istitle"] = IsTitle,
        ["isidentifier"] = IsIdentifier,
        ["isprintable"] = IsPrintable,
        ["isascii"] = IsAscii,
        ["format"] = Format,
    };

    /// <summary>A method taking no arguments (METH_NOARGS): "str.upper() takes no arguments (1 given)".</summary>
    private static void NoArgs(string name, object[] args, Dictionary<string, object>? kwargs)
    {
        if (kwargs is { Count: > 0 }) throw Errors.TypeError($"str.{name}() takes no keyword arguments");
        if (args.Length != 0) throw Errors.TypeError($"str.{name}() takes no arguments ({args.Length} given)");
    }

    /// <summary>A method taking exactly one argument (METH_O): "str.join() takes exactly one argument (0 given)".</summary>
    private static object OneArg(string name, object[] args, Dictionary<string, object>? kwargs)
    {
        if (kwargs is { Count: > 0 }) throw Errors.TypeError($"str.{name}() takes no keyword arguments");
        if (args.Length != 1) throw Errors.TypeError($"str.{name}() takes exactly one argument ({args.Length} given)");
        return args[0];
    }

    /// <summary>A positional-only method (METH_VARARGS with PyArg_UnpackTuple): "replace expected at least 2 arguments, got 1".</summary>
    private static void VarArgs(string name, object[] args, Dictionary<string, object>? kwargs, int min, int max)
    {
        if (kwargs is { Count: > 0 }) throw Errors.TypeError($"str.{name}() takes no keyword arguments");
        if (args.Length < min)
            throw Errors.TypeError($"{name} expected at least {min} argument{(min == 1 ? "" : "s")}, got {args.Length}");
        if (args.Length > max)
            throw Errors.TypeError($"{name} expected at most {max} argument{(max == 1 ? "" : "s")}, got {args.Length}");
    }

    /// <summary>The find family's checks (PyArg_ParseTuple): "find() takes at least 1 argument (0 given)".</summary>
    private static void SearchArgs(string name, object[] args, Dictionary<string, object>? kwargs)
    {
        if (kwargs is { Count: > 0 }) throw Errors.TypeError($"{name}() takes no keyword arguments");
        if (args.Length < 1) throw Errors.TypeError($"{name}() takes at least 1 argument ({args.Length} given)");
        if (args.Length > 3) throw Errors.TypeError($"{name}() takes at most 3 arguments ({args.Length} given)");
    }

    /// <summary>
    /// Binds positional and keyword arguments to [names] for an Argument Clinic method with
    /// optional keyword parameters (split, splitlines…); absent ones are null.
    /// </summary>
    private static object?[] Bind(string name, string[] names, object[] args, Dictionary<string, object>? kwargs)
    {
        int given = args.Length + (kwargs?.Count ?? 0);
        if (given > names.Length)
        {
            string plural = names.Length == 1 ? "argument" : "arguments";
            string keyword = args.Length == 0 ? "keyword " : "";
            throw Errors.TypeError($"{name}() takes at most {names.Length} {keyword}{plural} ({given} given)");
        }
        var bound = new object?[names.Length];
        for (int i = 0; i < args.Length; i++) bound[i] = args[i];
        if (kwargs != null)
        {
            foreach (var (key, value) in kwargs)
            {
                int index = Array.IndexOf(names, key);
                if (index < 0) throw Errors.TypeError($"'{key}' is an invalid keyword argument for {name}()");
                if (index < args.Length)
                    throw Errors.TypeError($"argument for {name}() given by name ('{key}') and position ({index + 1})");
                bound[index] = value;
            }
        }
        return bound;
    }

    /// <summary>An argument used as a Py_ssize_t (__index__): bools and ints; OverflowError beyond 64 bits.</summary>
    private static long AsIndex(object v) => v switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        BigInteger => throw Errors.OverflowError("Python int too large to convert to C ssize_t"),
        _ => throw Errors.TypeError($"'{Ops.TypeName(v)}' object cannot be interpreted as an integer"),
    };

    /// <summary>An argument used as a C int (splitlines' keepends, expandtabs' tabsize).</summary>
    private static int AsCInt(object v)
    {
        if (v is BigInteger) throw Errors.OverflowError("Python int too large to convert to C int");
        long l = AsIndex(v);
        if (l > int.MaxValue || l < int.MinValue)
            throw Errors.OverflowError(l > 0 ? "signed integer is greater than maximum" : "signed integer is less than minimum");
        return (int)l;
    }

    /// <summary>A string argument of the find family and partition: "must be str, not int".</summary>
    private static string AsStr(object v) =>
        v as string ?? throw Errors.TypeError($"must be str, not {Ops.TypeName(v)}");

    /// <summary>A string argument checked by Argument Clinic, which calls None "None": "replace() argument 1 must be str, not None".</summary>
    private static string AsClinicStr(object v, string argument) =>
        v as string ?? throw Errors.TypeError($"{argument} must be str, not {(v is PyNone ? "None" : Ops.TypeName(v))}");

    /// <summary>
    /// Start and end arguments of find/count/startswith (slice semantics): None means the default,
    /// negative values count from the end, and everything is clamped to [0, length].
    /// </summary>
    private static (int Start, int End) SliceBounds(object[] args, int first, int length)
    {
        long start = 0, end = length;
        if (args.Length > first) start = SliceIndex(args[first], 0);
        if (args.Length > first + 1) end = SliceIndex(args[first + 1], length);
        if (end > length) end = length;
        else if (end < 0)
        {
            end += length;
            if (end < 0) end = 0;
        }
        if (start < 0)
        {
            start += length;
            if (start < 0) start = 0;
        }
        return ((int)Math.Min(start, int.MaxValue), (int)end);
    }

    private static long SliceIndex(object v, long absent) => v switch
    {
        PyNone => absent,
        long l => l,
        bool b => b ? 1 : 0,
        // Out-of-range slice indices are clamped, never an error.
        BigInteger big => big.Sign < 0 ? long.MinValue / 2 : long.MaxValue / 2,
        _ => throw Errors.TypeError("slice indices must be integers or None or have an __index__ method"),
    };

    /// <summary>
    /// str.format. A field value that may hold user __format__, __str__ or __repr__ methods is
    /// formatted with them refused first; when one is met, the prelude's _str_format formats the
    /// pieces with them as frames (they may block).
    /// </summary>
    private static object Format(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        var format = (string)self;
        if (Array.TrueForAll(args, Ops.IsScalar) && (kwargs == null || kwargs.Values.All(Ops.IsScalar))) return StrFormat.Format(format, args, kwargs);
        var vm = Runtime.Interpreter.Current;
        return vm.ScriptFreeOr(() => StrFormat.Format(format, args, kwargs), () => vm.CallPrelude("_str_format", StrFormat.Pieces(format, args, kwargs)));
    }
}
