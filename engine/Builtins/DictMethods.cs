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
    public static object Construct(object[] args, Dictionary<string, object>? kwargs)
    {
        if (args.Length > 1) throw Errors.TypeError($"dict expected at most 1 argument, got {args.Length}");
        // dict(d): a clone, with the stored hashes and no comparisons, as CPython's dict_merge does.
        if (args.Length == 1 && args[0] is PyDict source && (kwargs == null || kwargs.Count == 0)) return source.Copy();
        var dict = new PyDict();
        return Merge(dict, args.Length == 1 ? args[0] : null, kwargs, dict);
    }

    // Keys of a str or an int are looked up in C#; any other key may have a user __hash__ or
    // __eq__, so the lookup is tried with user methods refused, and otherwise made by the
    // prelude's _dict_find, whose hash and comparisons run as frames (they may block).

    private static object Get(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        MethodArgs.Positional("dict", "get", args, kwargs, 1, 2);
        var dict = (PyDict)self;
        var key = args[0];
        var fallback = args.Length > 1 ? args[1] : PyNone.Value;
        if (key is string or long && dict.KeysCompareWithoutScript) return dict.TryGetValue(key, out var value) ? value : fallback;
        var vm = Interpreter.Current;
        return vm.ScriptFreeOr(() => dict.TryGetValue(key, out var found) ? found : fallback, () => vm.CallPrelude("_dict_get", dict, key, fallback));
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
        var key = args[0];
        if (dict.Count > 0 && (key is not (string or long) || !dict.KeysCompareWithoutScript))
        {
            var vm = Interpreter.Current;
            return vm.ScriptFreeOr(() => PopOrDefault(dict, key, args),
                () => vm.CallPrelude("_dict_pop", dict, key, Boxes.Bool(args.Length > 1), args.Length > 1 ? args[1] : PyNone.Value));
        }
        return PopOrDefault(dict, key, args);
    }

    private static object PopOrDefault(PyDict dict, object key, object[] args)
    {
        // CPython answers for an empty dict without hashing the key: {}.pop([], 1) is 1.
        if (dict.Count > 0 && dict.Remove(key, out var value)) return value;
        if (args.Length > 1) return args[1];
        throw Errors.KeyError(key);
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
        var key = args[0];
        var fallback = args.Length > 1 ? args[1] : PyNone.Value;
        if (key is string or long && dict.KeysCompareWithoutScript) return SetDefault(dict, key, fallback);
        var vm = Interpreter.Current;
        return vm.ScriptFreeOr(() => SetDefault(dict, key, fallback), () => vm.CallPrelude("_dict_setdefault", dict, key, fallback));
    }

    private static object SetDefault(PyDict dict, object key, object fallback)
    {
        if (dict.TryGetValue(key, out var value)) return value;
        dict.Set(key, fallback);
        return fallback;
    }

    /// <summary>dict.update([other], **kw): other first, then the keywords.</summary>
    private static object Update(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        if (args.Length > 1) throw Errors.TypeError($"update expected at most 1 argument, got {args.Length}");
        return Merge((PyDict)self, args.Length == 1 ? args[0] : null, kwargs, PyNone.Value);
    }

    /// <summary>dict.fromkeys(iterable, value=None): a new dict mapping every item to the one value (a lazy iterable was read by the prelude).</summary>
    private static object FromKeys(object self, object[] args, Dictionary<string, object>? kwargs)
    {
        MethodArgs.Positional("dict", "fromkeys", args, kwargs, 1, 2);
        var value = args.Length > 1 ? args[1] : PyNone.Value;
        var pairs = new List<object>();
        foreach (var key in Ops.Iterate(args[0])) pairs.Add(PyTuple.Of(key, value));
        var dict = new PyDict();
        return Store(dict, pairs, dict);
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
    /// <remarks>
    /// The pairs are gathered first, then stored (then the keywords'); an object with keys() is
    /// read by the prelude's _dict_merge_mapping, its keys() and __getitem__ as frames. [other]
    /// is null for none. Returns [result], or the prelude frame that finishes the work.
    /// </remarks>
    private static object Merge(PyDict dict, object? other, Dictionary<string, object>? kwargs, object result)
    {
        var pairs = new List<object>();
        if (other is PyDict source)
        {
            // Each key's stored hash is reused, as CPython's dict_merge does: no __hash__ is called.
            if (!ReferenceEquals(source, dict))
                foreach (var (key, value, hash) in source.EntriesWithHashes) pairs.Add(PyTuple.Of(key, value, Boxes.Int(hash)));
        }
        else if (other is PyInstance && Ops.TryGetAttr(other, "keys", out var keysMethod))
        {
            return Interpreter.Current.CallPrelude("_dict_merge_mapping", dict, keysMethod, other, KeywordPairs(kwargs), result);
        }
        else if (other != null) GatherPairs(pairs, other);
        pairs.AddRange(KeywordPairs(kwargs).Items);
        return Store(dict, pairs, result);
    }

    private static PyList KeywordPairs(Dictionary<string, object>? kwargs)
    {
        var pairs = new PyList();
        if (kwargs != null)
            foreach (var (key, value) in kwargs) pairs.Items.Add(PyTuple.Of(key, value));
        return pairs;
    }

    /// <summary>
    /// Stores each (key, value) or (key, value, hash) of [pairs] in [dict] and returns [result]. When a key's __hash__
    /// or __eq__ is a user method, the prelude's _dict_store_pairs stores them all as frames; the
    /// pairs stored here before it are stored again there, the same keys with the same values in
    /// the same order, which changes nothing.
    /// </summary>
    private static object Store(PyDict dict, List<object> pairs, object result)
    {
        bool plainKeys = dict.KeysCompareWithoutScript;
        foreach (PyTuple pair in pairs)
            if (pair.Items[0] is not (string or long)) plainKeys = false;
        if (plainKeys)
        {
            StorePairs(dict, pairs);
            return result;
        }
        var vm = Interpreter.Current;
        return vm.ScriptFreeOr(() =>
        {
            StorePairs(dict, pairs);
            return result;
        }, () => vm.CallPrelude("_dict_store_pairs", dict, new PyList(pairs), result));
    }

    private static void StorePairs(PyDict dict, List<object> pairs)
    {
        foreach (PyTuple pair in pairs)
        {
            if (pair.Items.Length == 3) dict.Set(pair.Items[0], pair.Items[1], (long)pair.Items[2]);
            else dict.Set(pair.Items[0], pair.Items[1]);
        }
    }

    /// <summary>PyDict_MergeFromSeq2: each element must itself iterate to exactly a key and a value.</summary>
    private static void GatherPairs(List<object> gathered, object pairs)
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
            gathered.Add(PyTuple.Of(pair[0], pair[1]));
            index++;
        }
    }
}
