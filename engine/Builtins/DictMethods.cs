using Workflow.Runtime;
using Workflow.Values;

namespace Workflow.Builtins;

/// <summary>
/// The methods of dict, by name, for the dict type's method table, and the dict(...) constructor.
/// Each method receives the dict as [self]; argument errors use CPython's wording.
/// </summary>
internal static class DictMethods
{
    public static readonly Dictionary<string, NativeMethod> Table = new()
    {
        ["get"] = Get,
        ["keys"] = (self, args, kwargs) => View(self, args, kwargs, "keys", DictViewKind.Keys),
        ["values"] = (self, args, kwargs) => View(self, args, kwargs, "values", DictViewKind.Values),
        ["items"] = (self, args, kwargs) => View(self, args, kwargs, "items", DictViewKind.Items),
        ["pop"] = Pop,
        ["popitem"] = PopItem,
        ["setdefault"] = SetDefault,
        ["update"] = Update,
        ["copy"] = Copy,
        ["clear"] = Clear,
        ["fromkeys"] = FromKeys,
    };

    /// <summary>The methods of the table that CPython defines as class methods: they ignore the receiver, and dict.fromkeys takes none.</summary>
    public static readonly HashSet<string> ClassMethods = new() { "fromkeys" };

    /// <summary>dict(), dict(mapping), dict(iterable_of_pairs), dict(**kw) and dict(x, **kw).</summary>
    public static PyDict Construct(object[] args, Dictionary<string, object>? kwargs)
    {
        if (args.Length > 1) throw Errors.TypeError($"dict expected at most 1 argument, got {args.Length}");
        var dict = new PyDict();
        if (args.Length == 1) Merge(dict, args[0]);
        AddKeywords(dict, kwargs);
        return dict;
    }

    private static object Get(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        MethodArgs.Positional("dict", "get", args, kwargs, 1, 2);
        if (((PyDict)self).TryGetValue(args[0], out var value)) return value;
        return args.Length > 1 ? args[1] : PyNone.Value;
    }

    private static object View(object self, object[] args, Dictionary<string, object>? kwargs, string name, DictViewKind kind)
    {
        MethodArgs.None("dict", name, args, kwargs);
        return new DictView((PyDict)self, kind);
    }

    private static object Pop(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        MethodArgs.Positional("dict", "pop", args, kwargs, 1, 2);
        var dict = (PyDict)self;
        // CPython answers for an empty dict without hashing the key: {}.pop([], 1) is 1.
        if (dict.Count > 0 && dict.Remove(args[0], out var value)) return value;
        if (args.Length > 1) return args[1];
        throw Errors.KeyError(args[0]);
    }

    private static object PopItem(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        MethodArgs.None("dict", "popitem", args, kwargs);
        var (key, value) = ((PyDict)self).PopLast();
        return PyTuple.Of(key, value);
    }

    private static object SetDefault(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        MethodArgs.Positional("dict", "setdefault", args, kwargs, 1, 2);
        var dict = (PyDict)self;
        if (dict.TryGetValue(args[0], out var value)) return value;
        var fallback = args.Length > 1 ? args[1] : PyNone.Value;
        dict.Set(args[0], fallback);
        return fallback;
    }

    /// <summary>dict.update([other], **kw): other first, then the keywords.</summary>
    private static object Update(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        if (args.Length > 1) throw Errors.TypeError($"update expected at most 1 argument, got {args.Length}");
        var dict = (PyDict)self;
        if (args.Length == 1) Merge(dict, args[0]);
        AddKeywords(dict, kwargs);
        return PyNone.Value;
    }

    /// <summary>dict.fromkeys(iterable, value=None): a new dict mapping every item to the one value (a lazy iterable was read by the prelude).</summary>
    private static object FromKeys(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        MethodArgs.Positional("dict", "fromkeys", args, kwargs, 1, 2);
        var value = args.Length > 1 ? args[1] : PyNone.Value;
        var dict = new PyDict();
        foreach (var key in Ops.Iterate(args[0])) dict.Set(key, value);
        return dict;
    }

    private static object Copy(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        MethodArgs.None("dict", "copy", args, kwargs);
        return ((PyDict)self).Copy();
    }

    private static object Clear(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        MethodArgs.None("dict", "clear", args, kwargs);
        ((PyDict)self).Clear();
        return PyNone.Value;
    }

    /// <summary>
    /// Adds the entries of [other] to [dict], later ones winning, as CPython's dict_update_arg:
    /// a dict is copied entry by entry; an object with a keys() method is read as a mapping
    /// (other[k] for each k in other.keys()); anything else must iterate over pairs.
    /// </summary>
    private static void Merge(PyDict dict, object other)
    {
        if (other is PyDict source)
        {
            if (ReferenceEquals(source, dict)) return;
            foreach (var (key, value) in source.Items.ToArray()) dict.Set(key, value);
            return;
        }
        if (other is PyInstance && Ops.TryGetAttr(other, "keys", out var keysMethod))
        {
            var keys = Ops.Iterate(Interpreter.Current.CallNested(keysMethod, Array.Empty<object>(), null, "dict.update()")).ToArray();
            foreach (var key in keys) dict.Set(key, Ops.GetItem(other, key));
            return;
        }
        MergePairs(dict, other);
    }

    /// <summary>PyDict_MergeFromSeq2: each element must itself iterate to exactly a key and a value.</summary>
    private static void MergePairs(PyDict dict, object pairs)
    {
        long index = 0;
        foreach (var element in Ops.Iterate(pairs))
        {
            object[] pair;
            switch (element)
            {
                case PyTuple tuple: pair = tuple.Items; break;
                case PyList list: pair = list.Items.ToArray(); break;
                default:
                    try
                    {
                        pair = Ops.Iterate(element).ToArray();
                    }
                    catch (ScriptError e) when (e.Exception.Class.IsSubclassOf(ExceptionTypes.TypeError))
                    {
                        throw Errors.TypeError($"cannot convert dictionary update sequence element #{index} to a sequence");
                    }
                    break;
            }
            if (pair.Length != 2)
                throw Errors.ValueError($"dictionary update sequence element #{index} has length {pair.Length}; 2 is required");
            dict.Set(pair[0], pair[1]);
            index++;
        }
    }

    private static void AddKeywords(PyDict dict, Dictionary<string, object>? kwargs)
    {
        if (kwargs == null) return;
        foreach (var (key, value) in kwargs) dict.Set(key, value);
    }
}
