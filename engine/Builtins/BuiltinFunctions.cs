using System.Numerics;
using Workflow.Boundary;
using Workflow.Runtime;
using Workflow.Syntax;
using Workflow.Values;
using Workflow.Values.Numbers;
using Workflow.Values.Text;

namespace Workflow.Builtins;

/// <summary>
/// The builtins namespace: functions, types and exception classes every module sees, and the
/// built-in modules (json). Functions that need the running interpreter use Interpreter.Current.
/// </summary>
internal static partial class BuiltinFunctions
{
    public static readonly Dictionary<string, object> Table = new();
    public static readonly Dictionary<string, PyModule> Modules = new();

    private static Interpreter Vm => Interpreter.Current;

    static BuiltinFunctions()
    {
        AttachTypes();
        Add("print", Print);
        Add("len", (a, k) =>
        {
            Arguments.Count("len", a, 1, 1);
            return a[0] is PyInstance inst && Ops.FindUserMethod(inst, "__len__", out _) ? Vm.CallPrelude("_len", inst) : Boxes.Int(Ops.Len(a[0]));
        });
        Add("repr", (a, k) =>
        {
            Arguments.Count("repr", a, 1, 1);
            if (a[0] is PyInstance inst && Ops.FindUserMethod(inst, "__repr__", out var repr)) return Vm.CallPrelude("_to_string", Ops.Bind(inst, repr), "__repr__");
            // A container holding instances with __repr__: the prelude writes it, each __repr__ a frame.
            if (Ops.IsScalar(a[0])) return Ops.Repr(a[0]);
            return Vm.ScriptFreeOr(() => Ops.Repr(a[0]), () => Vm.CallPrelude("_repr", a[0]));
        });
        Add("ascii", (a, k) => { Arguments.Count("ascii", a, 1, 1); return Ops.Ascii(a[0]); });
        Add("abs", (a, k) => { Arguments.Count("abs", a, 1, 1); return Abs(a[0]); });
        Add("round", Round);
        Add("divmod", (a, k) => { Arguments.Count("divmod", a, 2, 2); return DivMod(a[0], a[1]); });
        Add("pow", Pow);
        Add("min", (a, k) => MinMax("min", a, k, wantMax: false));
        Add("max", (a, k) => MinMax("max", a, k, wantMax: true));
        AddMaterializing("sum", Sum);
        Add("sorted", Sorted);
        Add("reversed", (a, k) => { Arguments.Count("reversed", a, 1, 1); return Reversed(a[0]); });
        Add("enumerate", Enumerate);
        Add("zip", (a, k) =>
        {
            Arguments.OnlyKeywords("zip", k, "strict");
            var strict = Ops.Truthy(Arguments.Keyword(k, "strict") ?? false);
            // iter() of each argument happens now, as in CPython; only the stepping is lazy. A user
            // __iter__ runs as a frame, in the prelude's _zip_of.
            if (a.Any(x => x is PyInstance)) return Vm.CallPrelude("_zip_of", new PyTuple(a), Boxes.Bool(strict));
            if (Prelude.AnyMayRunScript(a)) return Vm.CallPrelude("_zip", new PyTuple(a.Select(Vm.GetIterator).ToArray()), Boxes.Bool(strict));
            return new ZipIterator(a.Select(Vm.GetIterator).ToArray(), strict);
        });
        Add("map", (a, k) =>
        {
            if (a.Length < 2) throw Errors.TypeError("map() must have at least two arguments.");
            // Always the prelude's generator: even a built-in function (str, len…) may call a user
            // method on an item, which must run as a frame. (The C# MapIterator is only read from
            // older pickles.) A user __iter__ of an argument runs as a frame too, in _map_of.
            var iterables = a[1..];
            if (iterables.Any(x => x is PyInstance)) return Vm.CallPrelude("_map_of", a[0], new PyTuple(iterables));
            return Vm.CallPrelude("_map", a[0], new PyTuple(iterables.Select(Vm.GetIterator).ToArray()));
        });
        Add("filter", (a, k) =>
        {
            Arguments.Count("filter", a, 2, 2);
            // As map: the prelude's generator (the C# FilterIterator is only read from older pickles).
            if (a[1] is PyInstance) return Vm.CallPrelude("_filter_of", a[0], a[1]);
            return Vm.CallPrelude("_filter", a[0], Vm.GetIterator(a[1]));
        });
        AddPreludeHelpers();
        // any() and all() stop at the first decisive item, so a lazy iterable is walked by the prelude, not read whole.
        Add("any", (a, k) =>
        {
            Arguments.Count("any", a, 1, 1);
            if (Prelude.MayRunScript(a[0]) || a[0] is PyIterator) return Vm.CallPrelude("_any", a[0]);
            // An item whose truth is a user __bool__ or __len__: the prelude's _any reads the container again, as frames.
            var container = a[0];
            return Vm.ScriptFreeOr(() => Boxes.Bool(Ops.Iterate(container).Any(Ops.Truthy)), () => Vm.CallPrelude("_any", container));
        });
        Add("all", (a, k) =>
        {
            Arguments.Count("all", a, 1, 1);
            if (Prelude.MayRunScript(a[0]) || a[0] is PyIterator) return Vm.CallPrelude("_all", a[0]);
            var container = a[0];
            return Vm.ScriptFreeOr(() => Boxes.Bool(Ops.Iterate(container).All(Ops.Truthy)), () => Vm.CallPrelude("_all", container));
        });
        Add("isinstance", (a, k) => { Arguments.Count("isinstance", a, 2, 2); return Boxes.Bool(IsInstance(BuiltinTypes.TypeOf(a[0]), a[1], "isinstance")); });
        Add("issubclass", (a, k) =>
        {
            Arguments.Count("issubclass", a, 2, 2);
            if (a[0] is not PyClass c) throw Errors.TypeError("issubclass() arg 1 must be a class");
            return Boxes.Bool(IsInstance(c, a[1], "issubclass"));
        });
        Add("hasattr", (a, k) => { Arguments.Count("hasattr", a, 2, 2); return Boxes.Bool(Ops.TryGetAttr(a[0], AttributeName(a[1], "hasattr"), out _)); });
        Add("getattr", (a, k) =>
        {
            Arguments.Count("getattr", a, 2, 3);
            var name = AttributeName(a[1], "getattr");
            if (Ops.TryGetAttr(a[0], name, out var v)) return v;
            return a.Length == 3 ? a[2] : throw Ops.MissingAttribute(a[0], name);
        });
        Add("setattr", (a, k) => { Arguments.Count("setattr", a, 3, 3); Ops.SetAttr(a[0], AttributeName(a[1], "setattr"), a[2]); return PyNone.Value; });
        Add("delattr", (a, k) => { Arguments.Count("delattr", a, 2, 2); Ops.DelAttr(a[0], AttributeName(a[1], "delattr")); return PyNone.Value; });
        Add("iter", (a, k) =>
        {
            Arguments.Count("iter", a, 1, 2);
            // A user __iter__ runs as a frame.
            if (a.Length == 1) return a[0] is PyInstance inst && inst.Class.TryLookup("__iter__", out _) ? Vm.CallPrelude("_iter", inst) : Vm.GetIterator(a[0]);
            // iter(callable, sentinel): always the prelude's generator, since the callable (script
            // code, or a channel's receive) may block between two values.
            if (!IsCallable(a[0])) throw Errors.TypeError("iter(v, w): v must be callable");
            return Vm.CallPrelude("_iter_callable", a[0], a[1]);
        });
        Add("next", (a, k) => { Arguments.Count("next", a, 1, 2); return Vm.NextBuiltin(a[0], a.Length == 2 ? a[1] : null); });
        Add("chr", (a, k) =>
        {
            Arguments.Count("chr", a, 1, 1);
            var code = Arguments.Int(a[0]);
            if (code < 0 || code > 0x10FFFF) throw Errors.ValueError("chr() arg not in range(0x110000)");
            // A surrogate code point is a lone surrogate, as in CPython (see Text.CodePoints).
            return code < 0x10000 ? ((char)code).ToString() : char.ConvertFromUtf32((int)code);
        });
        Add("ord", (a, k) =>
        {
            Arguments.Count("ord", a, 1, 1);
            if (a[0] is not string s) throw Errors.TypeError($"ord() expected string of length 1, but {Ops.TypeName(a[0])} found");
            if (s.Length == 2 && char.IsSurrogatePair(s[0], s[1])) return Boxes.Int(char.ConvertToUtf32(s[0], s[1]));
            if (s.Length != 1) throw Errors.TypeError($"ord() expected a character, but string of length {CodePoints.Length(s)} found");
            return Boxes.Int(s[0]);
        });
        Add("hash", (a, k) =>
        {
            Arguments.Count("hash", a, 1, 1);
            if (Ops.IsScalar(a[0])) return Boxes.Int(Ops.Hash(a[0]));
            return Vm.ScriptFreeOr(() => Boxes.Int(Ops.Hash(a[0])), () => Vm.CallPrelude("_hash", a[0]));
        });
        Add("callable", (a, k) => { Arguments.Count("callable", a, 1, 1); return Boxes.Bool(IsCallable(a[0])); });
        Add("format", (a, k) =>
        {
            Arguments.Count("format", a, 1, 2);
            var spec = a.Length == 2 ? (string)a[1] : "";
            if (Ops.IsScalar(a[0])) return Ops.Format(a[0], spec);
            return Vm.ScriptFreeOr(() => Ops.Format(a[0], spec), () => Vm.CallPrelude("_format", a[0], spec));
        });
        Add("bin", (a, k) => { Arguments.Count("bin", a, 1, 1); return Ops.Format(IntArgument(a[0]), "#b"); });
        Add("oct", (a, k) => { Arguments.Count("oct", a, 1, 1); return Ops.Format(IntArgument(a[0]), "#o"); });
        Add("hex", (a, k) => { Arguments.Count("hex", a, 1, 1); return Ops.Format(IntArgument(a[0]), "#x"); });

        // The stackless additions.
        Add("spawn", (a, k) =>
        {
            if (a.Length == 0) throw Errors.TypeError("spawn() missing the function to run");
            if (!IsCallable(a[0])) throw Errors.TypeError($"spawn() argument must be callable, not '{Ops.TypeName(a[0])}'");
            return Vm.Spawn(a[0], a[1..], k);
        });
        Add("channel", (a, k) =>
        {
            Arguments.Count("channel", a, 0, 1);
            var capacity = a.Length == 1 ? Arguments.Int(a[0]) : 0;
            if (capacity < 0) throw Errors.ValueError("channel capacity must be a non-negative int");
            return new PyChannel((int)capacity);
        });
        Add("super", (a, k) =>
        {
            if (a.Length == 0) throw Errors.RuntimeError("super(): no arguments");
            Arguments.Count("super", a, 2, 2);
            if (a[0] is not PyClass cls) throw Errors.TypeError($"super() argument 1 must be a type, not {Ops.TypeName(a[0])}");
            if (!BuiltinTypes.TypeOf(a[1]).IsSubclassOf(cls)) throw Errors.TypeError("super(type, obj): obj must be an instance or subtype of type");
            return new PySuper(cls, a[1]);
        });
        Add("schedule", (a, k) => { Arguments.Count("schedule", a, 0, 0); return Vm.Schedule(); });
        Add("signal", (a, k) =>
        {
            Arguments.Count("signal", a, 1, 1);
            var name = a[0] as string ?? throw Errors.TypeError($"signal() name must be a string, not '{Ops.TypeName(a[0])}'");
            // A name no client may send (NameRules) would wait forever: refuse it where it is written.
            if (NameRules.Problem(name, NameKind.Signal) is { } problem) throw Errors.ValueError($"signal(): {problem}");
            return Vm.SignalFuture(name);
        });

        AddDurableFunctions();

        foreach (var cls in ExceptionTypes.All) Table[cls.Name] = cls;
        Table["NotImplemented"] = NotImplemented.Value;
        Table["__name__"] = "builtins";

        Modules["json"] = JsonModule.Create();
    }

    private static void Add(string name, Func<object[], Dictionary<string, object>?, object> body) =>
        Table[name] = new BuiltinFunction(name, body);

    /// <summary>
    /// A built-in that first reads its first argument, an iterable, whole: a lazy one (a generator, a
    /// channel) is read by the prelude first, as script code that may block.
    /// </summary>
    private static void AddMaterializing(string name, Func<object[], Dictionary<string, object>?, object> body)
    {
        BuiltinFunction? self = null;
        self = new BuiltinFunction(name, Materializing(() => self!, body));
        Table[name] = self;
    }

    private static Func<object[], Dictionary<string, object>?, object> Materializing(Func<object> callable, Func<object[], Dictionary<string, object>?, object> body) =>
        (a, k) => a.Length > 0 && ReadsAsIterable(a[0]) ? Vm.CallPrelude("_materialize_call", callable(), new PyTuple(a), KeywordDict(k)) : body(a, k);

    private static NativeMethod Materializing(string name, NativeMethod method)
    {
        // The prelude calls the wrapper itself back with a plain list: the method in the pickle is the one in the type's table.
        NativeMethod? wrapper = null;
        wrapper = (self, a, k) => a.Length > 0 && ReadsAsIterable(a[0])
            ? Vm.CallPrelude("_materialize_call", new BoundNativeMethod(self, name, wrapper!), new PyTuple(a), KeywordDict(k))
            : method(self, a, k);
        return wrapper;
    }

    /// <summary>A lazy iterable that must be read by the prelude; an object with keys() is a mapping, read through keys() instead (dict(), update()).</summary>
    private static bool ReadsAsIterable(object value) =>
        Prelude.MayRunScript(value) && !(value is PyInstance inst && inst.Class.TryLookup("keys", out _));

    private static PyDict KeywordDict(Dictionary<string, object>? kwargs)
    {
        var dict = new PyDict();
        if (kwargs != null)
            foreach (var (key, value) in kwargs) dict.Set(key, value);
        return dict;
    }

    private static void AttachTypes()
    {
        BuiltinTypes.List.NativeMethods = ListMethods.Table;
        BuiltinTypes.Dict.NativeMethods = DictMethods.Table;
        BuiltinTypes.Tuple.NativeMethods = TupleMethods.Table;
        BuiltinTypes.Range.NativeMethods = RangeMethods.Table;
        BuiltinTypes.Channel.NativeMethods = new Dictionary<string, NativeMethod>
        {
            ["send"] = (self, a, k) => { Arguments.Count("send", a, 1, 1); return ((PyChannel)self).Send(Vm, a[0]); },
            ["receive"] = (self, a, k) => { Arguments.Count("receive", a, 0, 0); return ((PyChannel)self).Receive(Vm, ReceiveMode.Call); },
            ["close"] = (self, a, k) => { Arguments.Count("close", a, 0, 0); return ((PyChannel)self).Close(Vm); },
        };

        BuiltinTypes.Object.NativeConstructor = (a, k) => new PyInstance(BuiltinTypes.Object);
        BuiltinTypes.Int.NativeConstructor = IntConstructor;
        BuiltinTypes.Bool.NativeConstructor = (a, k) =>
        {
            Arguments.Count("bool", a, 0, 1);
            return a.Length == 1 && Ops.HasUserTruth(a[0]) ? Vm.CallPrelude("_truth", a[0]) : Boxes.Bool(a.Length == 1 && Ops.Truthy(a[0]));
        };
        BuiltinTypes.Float.NativeConstructor = FloatConstructor;
        BuiltinTypes.Str.NativeConstructor = (a, k) =>
        {
            Arguments.Count("str", a, 0, 1);
            if (a.Length == 0) return "";
            if (a[0] is PyInstance inst)
            {
                // __str__, else __repr__, run as frames by the prelude: they may block.
                if (Ops.FindUserMethod(inst, "__str__", out var str)) return Vm.CallPrelude("_to_string", Ops.Bind(inst, str), "__str__");
                if (inst is not PyException && Ops.FindUserMethod(inst, "__repr__", out var repr)) return Vm.CallPrelude("_to_string", Ops.Bind(inst, repr), "__repr__");
            }
            if (Ops.IsScalar(a[0])) return Ops.Str(a[0]);
            return Vm.ScriptFreeOr(() => Ops.Str(a[0]), () => Vm.CallPrelude("_str", a[0]));
        };
        BuiltinTypes.List.NativeConstructor = (a, k) =>
        {
            Arguments.Count("list", a, 0, 1);
            if (a.Length == 1 && Prelude.MayRunScript(a[0])) return Vm.CallPrelude("_list", a[0]);
            return a.Length == 0 ? new PyList() : new PyList(Ops.ToList(a[0]));
        };
        BuiltinTypes.Tuple.NativeConstructor = Materializing(() => BuiltinTypes.Tuple, (a, k) =>
        {
            Arguments.Count("tuple", a, 0, 1);
            if (a.Length == 0) return PyTuple.Empty;
            return a[0] is PyTuple t ? t : new PyTuple(Ops.ToList(a[0]).ToArray());
        });
        BuiltinTypes.Dict.NativeConstructor = Materializing(() => BuiltinTypes.Dict, DictMethods.Construct);
        foreach (var (table, name) in new[] { (StrMethods.Table, "join"), (ListMethods.Table, "extend"), (DictMethods.Table, "update"), (DictMethods.Table, "fromkeys") })
            table[name] = Materializing(name, table[name]);
        BuiltinTypes.Range.NativeConstructor = RangeConstructor;
        BuiltinTypes.Type.NativeConstructor = (a, k) =>
        {
            if (a.Length != 1) throw Errors.TypeError("type() takes 1 argument (creating classes with type() is not supported)");
            return BuiltinTypes.TypeOf(a[0]);
        };
        foreach (var type in new[] { BuiltinTypes.Object, BuiltinTypes.Int, BuiltinTypes.Bool, BuiltinTypes.Float, BuiltinTypes.Str,
                     BuiltinTypes.List, BuiltinTypes.Tuple, BuiltinTypes.Dict, BuiltinTypes.Range, BuiltinTypes.Type })
            Table[type.Name] = type;
    }

    private static object Print(object[] args, Dictionary<string, object>? kwargs)
    {
        Arguments.OnlyKeywords("print", kwargs, "sep", "end", "flush");
        var sep = PrintSeparator(kwargs, "sep", " ");
        var end = PrintSeparator(kwargs, "end", "\n");
        // Every text first, so that an argument whose __str__ or __repr__ must run as a frame sends
        // the whole call to the prelude's _print before anything is written.
        var texts = Vm.ScriptFreeOr(() =>
        {
            var strings = new string[args.Length];
            for (int i = 0; i < args.Length; i++) strings[i] = Ops.Str(args[i]);
            return strings;
        }, () => Vm.CallPrelude("_print", new PyTuple(args), sep, end));
        if (texts is not string[] parts) return texts;
        var output = Vm.Out;
        for (int i = 0; i < parts.Length; i++)
        {
            if (i > 0) output.Write(sep);
            output.Write(parts[i]);
        }
        output.Write(end);
        return PyNone.Value;
    }

    /// <summary>print's sep or end: None or absent means the default; anything but a str is refused, as CPython does.</summary>
    private static string PrintSeparator(Dictionary<string, object>? kwargs, string name, string fallback) => Arguments.Keyword(kwargs, name) switch
    {
        null or PyNone => fallback,
        string text => text,
        var other => throw Errors.TypeError($"{name} must be None or a string, not {Ops.TypeName(other)}"),
    };

    private static object IntConstructor(object[] a, Dictionary<string, object>? k)
    {
        if (a.Length == 0 && k == null) return Boxes.Int(0);
        var value = a.Length > 0 ? a[0] : Arguments.Keyword(k, "x") ?? throw Errors.TypeError("int() missing string argument");
        var baseArg = a.Length > 1 ? a[1] : Arguments.Keyword(k, "base");
        if (baseArg != null)
        {
            if (value is not string text) throw Errors.TypeError("int() can't convert non-string with explicit base");
            var b = Arguments.Int(baseArg);
            if (b != 0 && (b < 2 || b > 36)) throw Errors.ValueError("int() base must be >= 2 and <= 36, or 0");
            return NumberText.ParseInt(text, (int)b);
        }
        return value switch
        {
            long or BigInteger => value,
            bool b => Boxes.Int(b ? 1 : 0),
            double d => FloatOps.ToInt(d),
            string s => NumberText.ParseInt(s, 10),
            PyInstance inst when Ops.FindUserMethod(inst, "__int__", out var m) => Vm.Invoke(Ops.Bind(inst, m), Array.Empty<object>(), null),
            _ => throw Errors.TypeError($"int() argument must be a string, a bytes-like object or a real number, not '{Ops.TypeName(value)}'"),
        };
    }

    private static object FloatConstructor(object[] a, Dictionary<string, object>? k)
    {
        Arguments.Count("float", a, 0, 1);
        if (a.Length == 0) return 0.0;
        return a[0] switch
        {
            double d => d,
            long or BigInteger => IntOps.ToDouble(a[0]),
            bool b => b ? 1.0 : 0.0,
            string s => NumberText.ParseFloat(s),
            PyInstance inst when Ops.FindUserMethod(inst, "__float__", out var m) => Vm.Invoke(Ops.Bind(inst, m), Array.Empty<object>(), null),
            _ => throw Errors.TypeError($"float() argument must be a string or a real number, not '{Ops.TypeName(a[0])}'"),
        };
    }

    private static object RangeConstructor(object[] a, Dictionary<string, object>? k)
    {
        Arguments.NoKeywords("range", k);
        if (a.Length == 0) throw Errors.TypeError("range expected at least 1 argument, got 0");
        if (a.Length > 3) throw Errors.TypeError($"range expected at most 3 arguments, got {a.Length}");
        if (a.Length == 1) return a[0] is long n ? new PyRange(0, n, 1) : PyRange.Of(0, RangeArgument(a[0]), 1);
        if (a[0] is long start && a[1] is long stop && (a.Length == 2 || a[2] is long)) return new PyRange(start, stop, a.Length == 3 ? (long)a[2] : 1);
        return PyRange.Of(RangeArgument(a[0]), RangeArgument(a[1]), a.Length == 3 ? RangeArgument(a[2]) : 1);
    }

    /// <summary>A bound of range(): any int (a bool counts), as CPython's __index__.</summary>
    private static System.Numerics.BigInteger RangeArgument(object v) => v switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        System.Numerics.BigInteger big => big,
        _ => throw Errors.TypeError($"'{Ops.TypeName(v)}' object cannot be interpreted as an integer"),
    };

    private static object IntArgument(object v) => v is long or BigInteger ? v : v is bool b ? Boxes.Int(b ? 1 : 0)
        : throw Errors.TypeError($"'{Ops.TypeName(v)}' object cannot be interpreted as an integer");

    private static string AttributeName(object v, string function) =>
        v as string ?? throw Errors.TypeError($"attribute name must be string, not '{Ops.TypeName(v)}'");

    /// <summary>isinstance and issubclass; [classInfo] may be a tuple of classes and tuples, to ValueNesting.MaxDepth levels.</summary>
    private static bool IsInstance(PyClass type, object classInfo, string function)
    {
        switch (classInfo)
        {
            case PyClass c: return type.IsSubclassOf(c);
            case PyTuple t:
                {
                    using var level = ValueNesting.Enter(function == "isinstance" ? "in __instancecheck__" : "in __subclasscheck__");
                    foreach (var item in t.Items)
                        if (IsInstance(type, item, function)) return true;
                    return false;
                }
            default: throw Errors.TypeError($"{function}() arg 2 must be a type, a tuple of types, or a union");
        }
    }

    private static bool IsCallable(object v) => v is PyFunction or BuiltinFunction or BoundMethod or BoundNativeMethod or PyClass
        || (v is PyInstance inst && inst.Class.TryLookup("__call__", out _));

    private static object Abs(object v) => v switch
    {
        long l when l != long.MinValue => Boxes.Int(Math.Abs(l)),
        long l => -(BigInteger)l,
        BigInteger b => IntOps.Normalize(BigInteger.Abs(b)),
        bool b => Boxes.Int(b ? 1 : 0),
        double d => Math.Abs(d),
        PyInstance inst when Ops.FindUserMethod(inst, "__abs__", out var m) => Vm.Invoke(Ops.Bind(inst, m), Array.Empty<object>(), null),
        _ => throw Errors.TypeError($"bad operand type for abs(): '{Ops.TypeName(v)}'"),
    };

    private static object Round(object[] a, Dictionary<string, object>? k)
    {
        Arguments.OnlyKeywords("round", k, "ndigits");
        if (a.Length == 0 || a.Length > 2) throw Errors.TypeError($"round() takes at most 2 arguments ({a.Length} given)");
        var ndigits = a.Length == 2 ? a[1] : Arguments.Keyword(k, "ndigits") ?? PyNone.Value;
        var x = a[0];
        if (x is bool b) x = Boxes.Int(b ? 1 : 0);
        switch (x)
        {
            case double d:
                return ndigits is PyNone ? FloatOps.Round(d) : FloatOps.Round(d, (int)Math.Clamp(Arguments.Int(ndigits), int.MinValue, int.MaxValue));
            case long or BigInteger:
                if (ndigits is PyNone) return x;
                var n = Arguments.Int(ndigits);
                return n >= 0 ? x : FloatOps.RoundInt(x, (int)Math.Max(n, int.MinValue));
            case PyInstance inst when Ops.FindUserMethod(inst, "__round__", out var m):
                return Vm.Invoke(Ops.Bind(inst, m), ndigits is PyNone ? Array.Empty<object>() : new[] { ndigits }, null);
            default:
                throw Errors.TypeError($"type {Ops.TypeName(x)} doesn't define __round__ method");
        }
    }

    private static object DivMod(object a, object b)
    {
        if (!Ops.IsNumber(a) || !Ops.IsNumber(b))
            throw Errors.TypeError($"unsupported operand type(s) for divmod(): '{Ops.TypeName(a)}' and '{Ops.TypeName(b)}'");
        if (a is double || b is double)
        {
            double x = a is double da ? da : IntOps.ToDouble(a is bool ba ? (ba ? 1L : 0L) : a);
            double y = b is double db ? db : IntOps.ToDouble(b is bool bb ? (bb ? 1L : 0L) : b);
            var (q, r) = FloatOps.DivMod(x, y);
            return PyTuple.Of(q, r);
        }
        return PyTuple.Of(Ops.Binary(BinaryOperator.FloorDiv, a, b, false), Ops.Binary(BinaryOperator.Mod, a, b, false));
    }

    private static object Pow(object[] a, Dictionary<string, object>? k)
    {
        Arguments.Count("pow", a, 2, 3);
        if (a.Length == 3 && a[2] is not PyNone)
        {
            if (a[0] is not (long or BigInteger or bool) || a[1] is not (long or BigInteger or bool) || a[2] is not (long or BigInteger or bool))
                throw Errors.TypeError("pow() 3rd argument not allowed unless all arguments are integers");
            return IntOps.PowMod(IntArgument(a[0]), IntArgument(a[1]), IntArgument(a[2]));
        }
        // A user __pow__ or __rpow__ runs as a frame, as for `**`.
        if ((a[0] is PyInstance || a[1] is PyInstance) && Ops.HasUserBinary(BinaryOperator.Pow, a[0], a[1], false))
            return Vm.CallPrelude("_binary_op", a[0], a[1], Boxes.Int((int)BinaryOperator.Pow), Boxes.False);
        return Ops.Binary(BinaryOperator.Pow, a[0], a[1], false);
    }

    private static object MinMax(string name, object[] a, Dictionary<string, object>? k, bool wantMax)
    {
        Arguments.OnlyKeywords(name, k, "key", "default");
        var key = Arguments.Keyword(k, "key");
        if (key is PyNone) key = null;
        var hasDefault = k != null && k.ContainsKey("default");
        if (a.Length == 0) throw Errors.TypeError($"{name} expected at least 1 argument, got 0");
        if (a.Length > 1 && hasDefault) throw Errors.TypeError($"Cannot specify a default for {name}() with multiple positional arguments");
        if (Prelude.IsScript(key) || (a.Length == 1 && Prelude.MayRunScript(a[0])))
        {
            return Vm.CallPrelude("_min_max", name, a.Length == 1 ? a[0] : new PyTuple(a), key ?? PyNone.Value,
                Boxes.Bool(hasDefault), hasDefault ? k!["default"] : PyNone.Value, Boxes.Bool(wantMax));
        }
        // Items that compare with user methods, or a built-in key (len, str…) that calls one: the
        // prelude's _min_max does the work again, as frames. A one-shot iterator is read whole
        // first, so that the prelude sees every item.
        if (a.Length == 1 && a[0] is PyIterator) a = [new PyList(Ops.ToList(a[0]))];
        var items = a;
        return Vm.ScriptFreeOr(() => MinMaxLoop(name, items, k, key, hasDefault, wantMax), () => Vm.CallPrelude("_min_max", name,
            items.Length == 1 ? items[0] : new PyTuple(items), key ?? PyNone.Value, Boxes.Bool(hasDefault), hasDefault ? k!["default"] : PyNone.Value, Boxes.Bool(wantMax)));
    }

    private static object MinMaxLoop(string name, object[] a, Dictionary<string, object>? k, object? key, bool hasDefault, bool wantMax)
    {
        var items = a.Length == 1 ? Ops.Iterate(a[0]) : a;
        object? best = null, bestKey = null;
        foreach (var item in items)
        {
            var itemKey = key == null ? item : Vm.CallNested(key, new[] { item }, null, $"{name}()");
            // CPython asks item > best for max and item < best for min; the operator shows in error messages.
            if (best == null || Ops.Truthy(Ops.Compare(wantMax ? 4 : 2, itemKey, bestKey!)))
            {
                best = item;
                bestKey = itemKey;
            }
        }
        if (best != null) return best;
        if (hasDefault) return k!["default"];
        throw Errors.ValueError($"{name}() arg is an empty sequence");
    }

    private static object Sum(object[] a, Dictionary<string, object>? k)
    {
        Arguments.OnlyKeywords("sum", k, "start");
        Arguments.Count("sum", a, 1, 2);
        var start = a.Length == 2 ? a[1] : Arguments.Keyword(k, "start") ?? Boxes.Int(0);
        if (start is string) throw Errors.TypeError("sum() can't sum strings [use ''.join(seq) instead]");
        // An item or start whose + is a user method: the prelude adds them up as frames (a one-shot
        // iterator is read whole first, so that the prelude sees every item).
        var iterable = a[0] is PyIterator ? new PyList(Ops.ToList(a[0])) : a[0];
        return Vm.ScriptFreeOr(() => SumLoop(iterable, start), () => Vm.CallPrelude("_sum", iterable, start));
    }

    private static object SumLoop(object iterable, object total)
    {
        foreach (var item in Ops.Iterate(iterable))
        {
            if (total is long x && item is long y)
            {
                long r = x + y;
                if (((x ^ r) & (y ^ r)) >= 0)
                {
                    total = Boxes.Int(r);
                    continue;
                }
            }
            total = Ops.Binary(BinaryOperator.Add, total, item, false);
        }
        return total;
    }

    private static object Sorted(object[] a, Dictionary<string, object>? k)
    {
        Arguments.OnlyKeywords("sorted", k, "key", "reverse");
        if (a.Length != 1) throw Errors.TypeError($"sorted expected 1 argument, got {a.Length}");
        var key = Arguments.Keyword(k, "key");
        var reverse = Arguments.Keyword(k, "reverse");
        if (Prelude.IsScript(key) || Prelude.MayRunScript(a[0]))
            return Vm.CallPrelude("_sorted", a[0], key ?? PyNone.Value, Boxes.Bool(reverse != null && MethodArgs.AsCInt(reverse) != 0));
        var items = Ops.ToList(a[0]);
        bool descending = reverse != null && MethodArgs.AsCInt(reverse) != 0;
        // Items that compare with user methods, or a built-in key (len, str…) that calls one: the
        // prelude sorts them, each call a frame.
        var unsorted = new PyList(new List<object>(items));
        var sortKey = key is PyNone ? null : key;
        return Vm.ScriptFreeOr(() => { ListMethods.Sort(items, sortKey, descending); return new PyList(items); },
            () => Vm.CallPrelude("_sorted", unsorted, sortKey ?? PyNone.Value, Boxes.Bool(descending)));
    }

    private static object Reversed(object v)
    {
        switch (v)
        {
            case PyList list: return new ListReverseIterator(list);
            case PyTuple tuple: return new TupleIterator(tuple.Items, reversed: true);
            case string s:
                ValueSize.EnsureItems(s.Length);
                return new TupleIterator(CodePoints.Characters(s), reversed: true);
            case PyRange range: return new RangeIterator(range, reversed: true);
            case PyDict dict: return new TupleIterator(dict.Items.Select(kv => kv.Key).ToArray(), reversed: true, "dict_reversekeyiterator");
            case DictView view:
                return new TupleIterator(Ops.Iterate(view).ToArray(), reversed: true, view.TypeName.Replace("dict_", "dict_reverse")[..^1] + "iterator");
            case PyInstance inst when Ops.FindUserMethod(inst, "__reversed__", out var m): return Vm.Invoke(Ops.Bind(inst, m), Array.Empty<object>(), null);
            case PyInstance inst when Ops.FindUserMethod(inst, "__len__", out _) && Ops.FindUserMethod(inst, "__getitem__", out _):
                // The sequence protocol: len() now, each item when asked for, as frames (the prelude's _reversed_of).
                return Vm.CallPrelude("_reversed_of", inst);
            default: throw Errors.TypeError($"'{Ops.TypeName(v)}' object is not reversible");
        }
    }

    private static object Enumerate(object[] a, Dictionary<string, object>? k)
    {
        Arguments.OnlyKeywords("enumerate", k, "start", "iterable");
        var iterable = a.Length > 0 ? a[0] : Arguments.Keyword(k, "iterable") ?? throw Errors.TypeError("enumerate() missing required argument 'iterable' (pos 1)");
        var start = a.Length > 1 ? a[1] : Arguments.Keyword(k, "start") ?? Boxes.Int(0);
        if (start is not (long or BigInteger)) throw Errors.TypeError($"'{Ops.TypeName(start)}' object cannot be interpreted as an integer");
        if (iterable is PyInstance) return Vm.CallPrelude("_enumerate_of", iterable, start);
        if (Prelude.MayRunScript(iterable)) return Vm.CallPrelude("_enumerate", Vm.GetIterator(iterable), start);
        return new EnumerateIterator(Vm.GetIterator(iterable), start);
    }
}
