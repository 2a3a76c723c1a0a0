using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using static System.Runtime.CompilerServices.MethodImplOptions;
using Workflow.Runtime;
using Workflow.Values.Numbers;
using Workflow.Values.Text;

namespace Workflow.Values;

/// <summary>
/// The generic operations on script values (repr, str, truth, hashing, iteration, formatting) with
/// CPython's semantics. The interpreter has fast paths for the common cases and calls these for the
/// rest; user classes are reached through their dunder methods, run by Interpreter.CallNested.
/// </summary>
internal static partial class Ops
{
    public static string TypeName(object v) => v switch
    {
        PyIterator it => it.TypeName,
        DictView view => view.TypeName,
        _ => BuiltinTypes.TypeOf(v).Name,
    };

    /// <summary>Objects whose repr is being computed on this thread, so that a list containing itself prints [...].</summary>
    [ThreadStatic] private static HashSet<object>? _reprInProgress;

    public static string Repr(object v) => v switch
    {
        PyNone => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
        BigInteger => IntOps.ToString(v),
        double d => NumberText.FloatRepr(d),
        string s => StrRepr.Repr(s),
        _ => ReprOther(v),
    };

    public static string Str(object v)
    {
        if (v is string s) return s;
        if (v is PyInstance inst)
        {
            if (FindUserMethod(inst, "__str__", out var str)) return CallForString(inst, str, "__str__");
            if (inst is PyException e) return ExceptionText.Str(e);
        }
        return Repr(v);
    }

    /// <summary>ascii(v): repr with every non-ASCII character escaped.</summary>
    public static string Ascii(object v) => StrRepr.EscapeNonAscii(Repr(v));

    private static string ReprOther(object v)
    {
        var text = new StringBuilder();
        AppendRepr(text, v);
        return text.ToString();
    }

    /// <summary>
    /// Appends repr([v]) to [text]: the values inside a container are appended in turn, one frame
    /// per level of nesting, to at most ValueNesting.MaxDepth levels. Items are charged to the
    /// interpreter, and the text is refused (MemoryError) before it would pass the value limit: a
    /// list holding one long string a million times is a short list with a huge repr.
    /// </summary>
    [MethodImpl(AggressiveOptimization)]
    private static void AppendRepr(StringBuilder text, object v)
    {
        if (v is PyNone or bool or long or BigInteger or double or string)
        {
            AppendPart(text, Repr(v));
            return;
        }
        using var level = ValueNesting.Enter("while getting the repr of an object");
        if (v is PyInstance inst && FindUserMethod(inst, "__repr__", out var repr))
        {
            AppendPart(text, CallForString(inst, repr, "__repr__"));
            return;
        }
        var inProgress = _reprInProgress ??= new HashSet<object>(ReferenceEqualityComparer.Instance);
        if (v is PyList or PyDict && !inProgress.Add(v))
        {
            text.Append(v is PyList ? "[...]" : "{...}");
            return;
        }
        try
        {
            switch (v)
            {
                case PyList or PyTuple:
                    {
                        // The count is read each time, as CPython does: an item's __repr__ may change a list.
                        IReadOnlyList<object> items = v is PyList list ? list.Items : ((PyTuple)v).Items;
                        int work = 0;
                        text.Append(v is PyList ? '[' : '(');
                        for (int i = 0; i < items.Count; i++)
                        {
                            BuiltinWork.Step(ref work);
                            AppendRepr(i > 0 ? text.Append(", ") : text, items[i]);
                        }
                        text.Append(v is PyList ? "]" : items.Count == 1 ? ",)" : ")");
                        break;
                    }
                case PyDict dict:
                    {
                        int work = 0;
                        text.Append('{');
                        bool first = true;
                        foreach (var (key, value) in dict.Items)
                        {
                            BuiltinWork.Step(ref work);
                            AppendRepr(first ? text : text.Append(", "), key);
                            AppendRepr(text.Append(": "), value);
                            first = false;
                        }
                        text.Append('}');
                        break;
                    }
                case PySlice s:
                    AppendRepr(text.Append("slice("), s.Start);
                    AppendRepr(text.Append(", "), s.Stop);
                    AppendRepr(text.Append(", "), s.Step);
                    text.Append(')');
                    break;
                case PyException e when e.Args.Items.Length == 1:
                    AppendRepr(text.Append(e.Class.Name).Append('('), e.Args.Items[0]);
                    text.Append(')');
                    break;
                case PyException e:
                    AppendRepr(text.Append(e.Class.Name), e.Args);
                    break;
                case BoundMethod bm:
                    AppendRepr(text.Append("<bound method ").Append(bm.Function.Code.QualifiedName).Append(" of "), bm.Self);
                    text.Append('>');
                    break;
                case DictView view:
                    AppendRepr(text.Append(view.TypeName).Append('('), new PyList(Interpreter.Current.Iterate(view)));
                    text.Append(')');
                    break;
                default:
                    AppendPart(text, ReprOfObject(v));
                    break;
            }
        }
        finally
        {
            if (v is PyList or PyDict) inProgress.Remove(v);
        }
    }

    /// <summary>Appends [part] to the repr being written, refusing it (MemoryError) if the text would pass the value limit.</summary>
    private static void AppendPart(StringBuilder text, string part)
    {
        ValueSize.EnsureChars((long)text.Length + part.Length);
        text.Append(part);
    }

    /// <summary>The repr of a value that holds no other value to repr.</summary>
    private static string ReprOfObject(object v) => v switch
    {
        PyRange r => r.Repr(),
        PyClass c => c.Dict.TryGetValue("__module__", out var module) ? $"<class '{module}.{QualifiedName(c)}'>" : $"<class '{c.Name}'>",
        PyInstance i => $"<{ModuleOf(i.Class)}{QualifiedName(i.Class)} object at {FakeAddress(i)}>",
        PyFunction fn => $"<function {fn.Code.QualifiedName} at {FakeAddress(fn)}>",
        BuiltinFunction bf => $"<built-in function {bf.Name}>",
        BoundNativeMethod nm => $"<built-in method {nm.Name} of {TypeName(nm.Self)} object at {FakeAddress(nm.Self)}>",
        PyGenerator { BuiltinTypeName: { } name } g => $"<{name} object at {FakeAddress(g)}>",
        PyGenerator g => $"<generator object {g.Frame.Code.QualifiedName} at {FakeAddress(g)}>",
        PyModule m => $"<module '{m.Name}'>",
        Tasklet t => $"<tasklet {t.Id}>",
        PyFuture fu => fu.ToString(),
        PyChannel => $"<channel object at {FakeAddress(v)}>",
        _ => $"<{TypeName(v)} object at {FakeAddress(v)}>",
    };

    private static string QualifiedName(PyClass c) => c.Dict.TryGetValue("__qualname__", out var q) && q is string s ? s : c.Name;
    private static string ModuleOf(PyClass c) => c.Dict.TryGetValue("__module__", out var m) && m is string s ? s + "." : "";

    /// <summary>Identity-based addresses are not reproducible; a stable per-object number stands in for id().</summary>
    private static string FakeAddress(object v) => "0x" + (0x7f0000000000L + RuntimeHelpers.GetHashCode(v) * 16L).ToString("x12");

    private static string CallForString(PyInstance inst, object method, string name, params object[] args)
    {
        var result = Interpreter.Current.CallNested(Bind(inst, method), args, null, name);
        if (name == "__format__" && result is not string) throw Errors.TypeError($"__format__ must return a str, not {TypeName(result)}");
        return result as string ?? throw Errors.TypeError($"{name} returned non-string (type {TypeName(result)})");
    }

    /// <summary>Finds a method defined by a user class (not a built-in's native one) on [inst]'s class chain.</summary>
    public static bool FindUserMethod(PyInstance inst, string name, out object method)
    {
        for (var c = inst.Class; c != null; c = c.Base)
            if (c.Dict.TryGetValue(name, out method!)) return true;
        method = null!;
        return false;
    }

    /// <summary>
    /// Runs prelude function [function] nested, for a C# caller that met a user method ([dunder]
    /// names it in the "cannot block" error): the dunder protocol is written once, in the prelude.
    /// </summary>
    public static object CallPreludeNested(string function, string dunder, params object[] args) =>
        Interpreter.Current.CallNested(Interpreter.Current.PreludeFunction(function), args, null, dunder);

    public static object CallMethod(PyInstance inst, object method, string name, params object[] args) =>
        Interpreter.Current.CallNested(Bind(inst, method), args, null, name);

    /// <summary>
    /// Whether [v] is a value whose str, repr, hash and format never reach script code: the fast
    /// paths of built-ins that otherwise try their work with user methods refused (ScriptFreeOr).
    /// </summary>
    public static bool IsScalar(object v) => v is string or long or double or bool or PyNone or BigInteger;

    /// <summary>Whether the truth of [v] is a user method's answer (__bool__ or __len__): the prelude's _truth runs it as a frame.</summary>
    public static bool HasUserTruth(object v) =>
        v is PyInstance inst && (FindUserMethod(inst, "__bool__", out _) || FindUserMethod(inst, "__len__", out _));

    public static bool Truthy(object v)
    {
        switch (v)
        {
            case bool b: return b;
            case PyNone: return false;
            case long l: return l != 0;
            case double d: return d != 0;
            case string s: return s.Length > 0;
            case PyList list: return list.Items.Count > 0;
            case PyTuple tuple: return tuple.Items.Length > 0;
            case PyDict dict: return dict.Count > 0;
            case BigInteger: return true;
            case PyRange r: return !r.BigLength.IsZero;
            case DictView view: return view.Dict.Count > 0;
            case PyInstance inst:
                if (FindUserMethod(inst, "__bool__", out var boolMethod))
                {
                    var result = CallMethod(inst, boolMethod, "__bool__");
                    return result is bool rb ? rb : throw Errors.TypeError($"__bool__ should return bool, returned {TypeName(result)}");
                }
                if (FindUserMethod(inst, "__len__", out var lenMethod))
                    return Len(inst) != 0;
                return true;
            default: return true;
        }
    }

    /// <summary>hash(v); TypeError "unhashable type: 'list'" for mutable values.</summary>
    [MethodImpl(AggressiveOptimization)]
    public static long Hash(object v)
    {
        switch (v)
        {
            case string s: return Hashing.HashStr(s);
            case long or BigInteger: return Hashing.HashInt(v);
            case bool b: return b ? 1 : 0;
            case double d: return Hashing.HashFloat(d);
            case PyTuple tuple:
                {
                    using var level = ValueNesting.Enter("while hashing");
                    Span<long> hashes = tuple.Items.Length <= 16 ? stackalloc long[tuple.Items.Length] : new long[tuple.Items.Length];
                    for (int i = 0; i < hashes.Length; i++) hashes[i] = Hash(tuple.Items[i]);
                    return Hashing.HashTuple(hashes);
                }
            case PyNone: return 0x5f3759df;
            case PyList or PyDict or DictView: throw Errors.TypeError($"unhashable type: '{TypeName(v)}'");
            case PyInstance inst:
                {
                    var hashMethod = UserHashMethod(inst);
                    return hashMethod == null ? RuntimeHelpers.GetHashCode(v) : CheckedHash(Interpreter.Current.CallNested(hashMethod, Array.Empty<object>(), null, "__hash__"));
                }
            default: return RuntimeHelpers.GetHashCode(v);
        }
    }

    /// <summary>
    /// The bound user __hash__ of [v]; null when [v] is hashed without script code (not an
    /// instance, or one whose class defines neither __hash__ nor __eq__). TypeError when unhashable.
    /// </summary>
    public static object? UserHashMethod(object v)
    {
        if (v is not PyInstance inst) return null;
        if (FindUserMethod(inst, "__hash__", out var hashMethod))
            return hashMethod is PyNone ? throw Errors.TypeError($"unhashable type: '{TypeName(v)}'") : Bind(inst, hashMethod);
        if (FindUserMethod(inst, "__eq__", out _)) throw Errors.TypeError($"unhashable type: '{TypeName(v)}'");
        return null;
    }

    /// <summary>The hash a user __hash__ returned, as CPython takes it (an int, reduced; -1 is kept for errors, so -2).</summary>
    public static long CheckedHash(object result) => result switch
    {
        long l => l == -1 ? -2 : l,
        bool b => b ? 1 : 0,
        BigInteger => Hashing.HashInt(result),
        _ => throw Errors.TypeError("__hash__ method should return an integer"),
    };

    /// <summary>
    /// How the prelude's _repr treats [v]: 0 C#'s repr, 1 list, 2 tuple, 3 dict, 4 a user __repr__
    /// to call, 5 a repr around one value (ReprAround).
    /// </summary>
    public static int ReprKind(object v) => v switch
    {
        PyList => 1,
        PyTuple => 2,
        PyDict => 3,
        PyInstance inst when FindUserMethod(inst, "__repr__", out _) => 4,
        PyException or BoundMethod or DictView => 5,
        _ => 0,
    };

    /// <summary>
    /// The repr of an exception, bound method or dict view as text before, one value whose repr
    /// goes between, and text after (as AppendRepr writes them), for the prelude's _repr.
    /// </summary>
    public static PyTuple ReprAround(object v) => v switch
    {
        PyException e when e.Args.Items.Length == 1 => PyTuple.Of(e.Class.Name + "(", e.Args.Items[0], ")"),
        PyException e => PyTuple.Of(e.Class.Name, e.Args, ""),
        BoundMethod bm => PyTuple.Of("<bound method " + bm.Function.Code.QualifiedName + " of ", bm.Self, ">"),
        DictView view => PyTuple.Of(view.TypeName + "(", new PyList(Interpreter.Current.Iterate(view)), ")"),
        _ => throw Errors.TypeError($"no repr around a value of type '{TypeName(v)}'"),
    };

    /// <summary>
    /// Iterates any iterable (list, tuple, str, dict, range, generator, iterator…); a list is read
    /// as it was when the iteration started. Long iterations are charged to the interpreter
    /// (BuiltinWork), so a built-in walking one is stopped by MaxTicks and the turn's deadline.
    /// </summary>
    public static IEnumerable<object> Iterate(object iterable) => iterable switch
    {
        PyList list => list.Items.Count < BuiltinWork.Batch ? list.Items.ToArray() : BuiltinWork.Charged(list.Items.ToArray()),
        PyTuple tuple => tuple.Items.Length < BuiltinWork.Batch ? tuple.Items : BuiltinWork.Charged(tuple.Items),
        _ => Interpreter.Current.Iterate(iterable),
    };

    /// <summary>The items of [iterable] in a new list (list(), tuple(), sorted()…), its size checked as Extend does.</summary>
    public static List<object> ToList(object iterable)
    {
        long known = KnownLength(iterable);
        ValueSize.EnsureItems(known);
        var list = new List<object>((int)Math.Clamp(known, 0, int.MaxValue));
        Extend(list, iterable);
        return list;
    }

    /// <summary>
    /// Appends the items of [iterable] to [target] (list.extend, +=, `[*xs]`, `f(*xs)`). A result
    /// over the value limit is refused before anything is copied when the length is known (a
    /// range, a str, a container), and as the list grows otherwise (a generator).
    /// </summary>
    public static void Extend(List<object> target, object iterable)
    {
        long known = KnownLength(iterable);
        if (known > 0) ValueSize.EnsureItems(target.Count + known);
        foreach (var item in Iterate(iterable))
        {
            ValueSize.EnsureGrowth(target.Count + 1, ValueSize.BytesPerItem);
            target.Add(item);
        }
    }

    /// <summary>How many items iterating [iterable] gives, when that is known without iterating; -1 otherwise.</summary>
    private static long KnownLength(object iterable) => iterable switch
    {
        PyList list => list.Items.Count,
        PyTuple tuple => tuple.Items.Length,
        string s => CodePoints.Length(s),
        PyRange range => range.Length,
        PyDict dict => dict.Count,
        DictView view => view.Dict.Count,
        _ => -1,
    };

    /// <summary>format(v, spec), as f-strings and str.format use it.</summary>
    public static string Format(object v, string spec)
    {
        if (v is PyInstance inst && FindUserMethod(inst, "__format__", out var fmt))
            return CallForString(inst, fmt, "__format__", spec);
        if (v is bool or long or BigInteger or double or string) return FormatSpec.Format(v, spec);
        if (spec.Length == 0) return Str(v);
        throw Errors.TypeError($"unsupported format string passed to {TypeName(v)}.__format__");
    }

    /// <summary>An int used as an index or slice bound.</summary>
    public static long Index(object v) => v switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        BigInteger big => big > long.MaxValue ? long.MaxValue : big < long.MinValue ? long.MinValue : (long)big,
        _ => throw Errors.TypeError("slice indices must be integers or None or have an __index__ method"),
    };

    /// <summary>The [count] items of a sequence being unpacked into as many targets.</summary>
    public static object[] UnpackItems(object seq, int count)
    {
        object[] items = seq switch
        {
            PyTuple tuple => tuple.Items,
            PyList list => list.Items.ToArray(),
            _ => seq is string || seq is PyDict || seq is PyRange || seq is PyIterator || seq is PyGenerator || seq is DictView || seq is PyInstance
                ? Iterate(seq).Take(count + 1).ToArray() // as in CPython, one item past [count] tells that there are too many
                : throw Errors.TypeError($"cannot unpack non-iterable {TypeName(seq)} object"),
        };
        if (items.Length < count) throw Errors.ValueError($"not enough values to unpack (expected {count}, got {items.Length})");
        if (items.Length > count) throw Errors.ValueError($"too many values to unpack (expected {count})");
        return items;
    }

    /// <summary>
    /// Whether `except [type]` catches [exc]: [type] is an exception class or a tuple of them. As in
    /// CPython 3.11, every item of the tuple must be a class (a tuple inside it is refused before
    /// anything is matched), so nothing here recurses however the script nests its tuples.
    /// </summary>
    public static bool ExceptionMatches(PyException exc, object type)
    {
        if (type is not PyTuple tuple) return exc.Class.IsSubclassOf(ExceptionClass(type));
        foreach (var item in tuple.Items) ExceptionClass(item);
        foreach (var item in tuple.Items)
            if (exc.Class.IsSubclassOf((PyClass)item)) return true;
        return false;
    }

    private static PyClass ExceptionClass(object type) => type as PyClass is { IsException: true } cls
        ? cls
        : throw Errors.TypeError("catching classes that do not inherit from BaseException is not allowed");

    /// <summary>`a is b`. Ints and bools compare by value (CPython caches the small ones, and scripts use `is` for None and flags).</summary>
    public static bool Is(object a, object b) => ReferenceEquals(a, b)
        || (a is bool x && b is bool y && x == y)
        || (a is long i && b is long j && i == j);
}
