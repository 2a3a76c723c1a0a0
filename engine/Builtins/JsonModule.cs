using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using Workflow.Runtime;
using Workflow.Values;
using Workflow.Values.Numbers;
using static System.Runtime.CompilerServices.MethodImplOptions;

namespace Workflow.Builtins;

/// <summary>
/// The json module: dumps and loads, producing and accepting exactly what CPython 3.11's json
/// does, byte for byte, errors included. Without an indent CPython uses its C encoder, with one
/// its pure-Python encoder; their outputs agree and the few messages that differ are kept apart.
/// </summary>
internal static class JsonModule
{
    /// <summary>json.JSONDecodeError, which CPython defines in json.decoder as a ValueError.</summary>
    public static readonly PyClass DecodeError = CreateDecodeError();

    public static PyModule Create()
    {
        var module = new PyModule("json", "<json>");
        module.Globals["dumps"] = new BuiltinFunction("dumps", Dumps);
        module.Globals["loads"] = new BuiltinFunction("loads", Loads);
        module.Globals["JSONDecodeError"] = DecodeError;
        return module;
    }

    private static PyClass CreateDecodeError()
    {
        var cls = new PyClass("JSONDecodeError", ExceptionTypes.ValueError);
        cls.Dict["__module__"] = "json.decoder";
        return cls;
    }

    /// <summary>dumps(obj, *, skipkeys, ensure_ascii, check_circular, allow_nan, cls, indent, separators, default, sort_keys).</summary>
    private static object Dumps(object[] args, Dictionary<string, object>? kwargs)
    {
        var obj = SingleArgument("dumps", "obj", args, ref kwargs);
        if (kwargs != null && kwargs.TryGetValue("default", out var hook) && Prelude.IsScript(hook))
        {
            // A default= in script: encoded with it refused first; when the object needs it, the
            // prelude replaces what json cannot encode by calling it as frames, then encodes plain data.
            var vm = Interpreter.Current;
            var rest = new PyDict();
            foreach (var (name, value) in kwargs)
                if (name != "default") rest.Set(name, value);
            var plain = kwargs;
            return vm.ScriptFreeOr(() => Encode(obj, plain), () => vm.CallPrelude("_json_dumps", obj, hook, rest));
        }
        return Encode(obj, kwargs);
    }

    /// <summary>What _json_prepare does with [value]: 0 keep it, 1 a list (from a list or tuple), 2 a dict, 3 call default.</summary>
    public static int PrepareKind(object value) => value switch
    {
        string or long or BigInteger or double or bool or PyNone => 0,
        PyList or PyTuple => 1,
        PyDict => 2,
        _ => 3,
    };

    /// <summary>__json_dumps_plain(obj, options): dumps of data _json_prepare made plain, with the other keyword arguments.</summary>
    internal static object DumpsPlain(object obj, PyDict options)
    {
        var kwargs = new Dictionary<string, object>();
        foreach (var (key, value) in options.Items)
            kwargs[key as string ?? throw Errors.TypeError("__json_dumps_plain() needs keyword names")] = value;
        return Encode(obj, kwargs.Count == 0 ? null : kwargs);
    }

    private static object Encode(object obj, Dictionary<string, object>? kwargs)
    {
        var encoder = new Encoder();
        object separators = PyNone.Value;
        if (kwargs != null)
        {
            foreach (var (name, value) in kwargs)
            {
                switch (name)
                {
                    case "skipkeys": encoder.SkipKeys = Ops.Truthy(value); break;
                    case "ensure_ascii": encoder.EnsureAscii = Ops.Truthy(value); break;
                    case "check_circular": encoder.CheckCircular = Ops.Truthy(value); break;
                    case "allow_nan": encoder.AllowNan = Ops.Truthy(value); break;
                    case "sort_keys": encoder.SortKeys = Ops.Truthy(value); break;
                    case "indent": encoder.Indent = value; break;
                    case "separators": separators = value; break;
                    case "default": encoder.Default = value is PyNone ? null : value; break;
                    case "cls":
                        if (value is not PyNone) throw Errors.TypeError("json.dumps(): a custom cls is not supported");
                        break;
                    default: throw Errors.TypeError($"JSONEncoder.__init__() got an unexpected keyword argument '{name}'");
                }
            }
        }
        if (separators is not PyNone)
        {
            var pair = Ops.UnpackItems(separators, 2);
            encoder.ItemSeparator = pair[0];
            encoder.KeySeparator = pair[1];
        }
        else if (encoder.Indent is not PyNone)
        {
            encoder.ItemSeparator = ",";
        }
        return encoder.Encode(obj);
    }

    /// <summary>loads(s, *, cls, object_hook, parse_float, parse_int, parse_constant, object_pairs_hook, strict).</summary>
    private static object Loads(object[] args, Dictionary<string, object>? kwargs)
    {
        var s = SingleArgument("loads", "s", args, ref kwargs);
        if (s is not string text)
            throw Errors.TypeError($"the JSON object must be str, bytes or bytearray, not {Ops.TypeName(s)}");
        if (text.StartsWith('\uFEFF')) throw Decoder.Error("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0);
        // What a document decodes to is at least about as big as the document: a text over the
        // value limit (one that came from outside, say) is refused before parsing starts.
        ValueSize.EnsureChars(text.Length);
        var decoder = new Decoder(text);
        if (kwargs != null)
        {
            foreach (var (name, value) in kwargs)
            {
                object? hook = value is PyNone ? null : value;
                switch (name)
                {
                    case "object_hook": decoder.ObjectHook = hook; break;
                    case "object_pairs_hook": decoder.PairsHook = hook; break;
                    case "parse_float": decoder.ParseFloat = hook; break;
                    case "parse_int": decoder.ParseInt = hook; break;
                    case "parse_constant": decoder.ParseConstant = hook; break;
                    case "strict": decoder.Strict = Ops.Truthy(value); break;
                    case "cls":
                        if (hook != null) throw Errors.TypeError("json.loads(): a custom cls is not supported");
                        break;
                    default: throw Errors.TypeError($"JSONDecoder.__init__() got an unexpected keyword argument '{name}'");
                }
            }
        }
        // Hooks written in script are called by the prelude's _json_resolve, as frames (they may
        // block): the decoder leaves each call where it belongs, and every other hook's with it, so
        // that they run in the order CPython calls them.
        decoder.DeferHooks = new[] { decoder.ObjectHook, decoder.PairsHook, decoder.ParseFloat, decoder.ParseInt, decoder.ParseConstant }
            .Any(hook => hook != null && Prelude.IsScript(hook));
        var decoded = decoder.Decode();
        return decoder.DeferHooks ? Interpreter.Current.CallPrelude("_json_resolve", decoded) : decoded;
    }

    /// <summary>The one positional-or-keyword parameter [param] of dumps and loads; removes it from [kwargs].</summary>
    private static object SingleArgument(string function, string param, object[] args, ref Dictionary<string, object>? kwargs)
    {
        if (args.Length > 1) throw Errors.TypeError($"{function}() takes 1 positional argument but {args.Length} were given");
        if (kwargs != null && kwargs.TryGetValue(param, out var named))
        {
            if (args.Length == 1) throw Errors.TypeError($"{function}() got multiple values for argument '{param}'");
            kwargs = new Dictionary<string, object>(kwargs);
            kwargs.Remove(param);
            return named;
        }
        if (args.Length == 0) throw Errors.TypeError($"{function}() missing 1 required positional argument: '{param}'");
        return args[0];
    }

    /// <summary>
    /// How many containers deep CPython gets before its recursion limit of 1000 (ValueNesting's)
    /// stops it: the limit counts the script's frames plus the three of json's Python code below
    /// the caller. Encoding and decoding recurse two small frames per container (their methods
    /// are AggressiveOptimization, see ValueNesting), so the limit is reached on any thread.
    /// </summary>
    private static int NestingLimit()
    {
        int frames = 1;
        try
        {
            frames += Interpreter.Current.CurrentTasklet?.Top?.Depth ?? 0;
        }
        catch (InvalidOperationException)
        {
            // Not running inside an interpreter (a unit test calling in directly).
        }
        return ValueNesting.MaxDepth - 4 - frames;
    }

    /// <summary>One call of dumps: the options, the output so far, and the containers being encoded.</summary>
    private sealed class Encoder
    {
        public bool SkipKeys, EnsureAscii = true, CheckCircular = true, AllowNan = true, SortKeys;
        public object Indent = PyNone.Value;
        public object ItemSeparator = ", ", KeySeparator = ": ";
        public object? Default;

        private readonly StringBuilder _out = new();
        private readonly HashSet<object> _markers = new(ReferenceEqualityComparer.Instance);
        private string? _indent;
        private string _itemSeparator = ", ", _keySeparator = ": ";
        private int _depth, _limit;
        private int _work;

        /// <summary>CPython picks its pure-Python encoder exactly when an indent is given.</summary>
        private bool PythonEncoder => _indent != null;

        public string Encode(object obj)
        {
            // JSONEncoder.encode answers for a str before looking at any other option.
            if (obj is string s)
            {
                WriteString(s);
                return _out.ToString();
            }
            _indent = IndentText(Indent);
            _keySeparator = KeySeparator as string ?? throw SeparatorError(5, KeySeparator);
            _itemSeparator = ItemSeparator as string ?? throw SeparatorError(6, ItemSeparator);
            // The pure-Python encoder spends one Python frame per container instead of one C-level
            // recursion, which happens to allow one more level.
            _limit = NestingLimit() + (PythonEncoder ? 1 : 0);
            WriteValue(obj, 0);
            return _out.ToString();
        }

        private static ScriptError SeparatorError(int position, object value) =>
            Errors.TypeError($"make_encoder() argument {position} must be str, not {Ops.TypeName(value)}");

        /// <summary>The indent unit: a str as is, an int n as n spaces (none when n &lt;= 0), as `' ' * indent`.</summary>
        private static string? IndentText(object indent) => indent switch
        {
            PyNone => null,
            string s => s,
            bool b => b ? " " : "",
            long n => n > 0 ? Spaces(n) : "",
            BigInteger big => big.Sign <= 0 ? "" : throw Errors.OverflowError("cannot fit 'int' into an index-sized integer"),
            _ => throw Errors.TypeError($"can't multiply sequence by non-int of type '{Ops.TypeName(indent)}'"),
        };

        /// <summary>An int indent: n spaces, refused (MemoryError) over the value limit, as `' ' * n` is.</summary>
        private static string Spaces(long n)
        {
            ValueSize.EnsureChars(n);
            return new string(' ', (int)n);
        }

        [MethodImpl(AggressiveOptimization)]
        private void WriteValue(object obj, int level)
        {
            // Each value is charged, and the text so far checked against the value limit: a short
            // list can name one long string many times.
            BuiltinWork.Step(ref _work);
            ValueSize.EnsureChars(_out.Length);
            switch (obj)
            {
                case string s: WriteString(s); return;
                case PyNone: _out.Append("null"); return;
                case bool b: _out.Append(b ? "true" : "false"); return;
                case long or BigInteger: _out.Append(IntOps.ToString(obj)); return;
                case double d: _out.Append(FloatText(d)); return;
                case PyList list: WriteArray(list, list.Items, level); return;
                case PyTuple tuple: WriteArray(tuple, tuple.Items, level); return;
                case PyDict dict: WriteObject(dict, level); return;
            }
            Mark(obj);
            if (Default == null) throw Errors.TypeError($"Object of type {Ops.TypeName(obj)} is not JSON serializable");
            // Calling the hook takes one more Python frame, which CPython refuses at its limit.
            if (_depth >= _limit) throw Errors.New(ExceptionTypes.RecursionError, "maximum recursion depth exceeded");
            var replacement = Interpreter.Current.CallNested(Default, new[] { obj }, null, "json.dumps()");
            Enter();
            WriteValue(replacement, level);
            _depth--;
            Unmark(obj);
        }

        private void Mark(object container)
        {
            if (CheckCircular && !_markers.Add(container)) throw Errors.ValueError("Circular reference detected");
        }

        private void Unmark(object container)
        {
            if (CheckCircular) _markers.Remove(container);
        }

        private void Enter()
        {
            Errors.EnsureStack("while encoding a JSON object");
            if (++_depth > _limit)
            {
                throw Errors.New(ExceptionTypes.RecursionError, PythonEncoder
                    ? "maximum recursion depth exceeded while calling a Python object"
                    : "maximum recursion depth exceeded while encoding a JSON object");
            }
        }

        /// <summary>Opens a list or dict: with an indent, returns the newline-and-indent that precedes each item.</summary>
        private string? Open(char bracket, ref int level)
        {
            _out.Append(bracket);
            if (_indent == null) return null;
            level++;
            ValueSize.EnsureChars(1 + (long)_indent.Length * level);
            var newline = "\n" + string.Concat(Enumerable.Repeat(_indent, level));
            _out.Append(newline);
            return newline;
        }

        private void Close(char bracket, int level, string? newline)
        {
            if (newline != null) _out.Append('\n').Append(string.Concat(Enumerable.Repeat(_indent!, level - 1)));
            _out.Append(bracket);
        }

        [MethodImpl(AggressiveOptimization)]
        private void WriteArray(object owner, IList<object> items, int level)
        {
            // CPython counts the recursion before it looks inside, so an empty container counts too.
            Enter();
            if (items.Count == 0)
            {
                _out.Append("[]");
                _depth--;
                return;
            }
            Mark(owner);
            var newline = Open('[', ref level);
            var separator = _itemSeparator + newline;
            // The count is read each time: a default() hook may change a list being encoded.
            for (int i = 0; i < items.Count; i++)
            {
                if (i > 0) _out.Append(separator);
                WriteValue(items[i], level);
            }
            Close(']', level, newline);
            _depth--;
            Unmark(owner);
        }

        [MethodImpl(AggressiveOptimization)]
        private void WriteObject(PyDict dict, int level)
        {
            // CPython counts the recursion before it looks inside, so an empty container counts too.
            Enter();
            if (dict.Count == 0)
            {
                _out.Append("{}");
                _depth--;
                return;
            }
            Mark(dict);
            var newline = Open('{', ref level);
            var separator = _itemSeparator + newline;
            bool first = true;
            foreach (var (key, value) in Entries(dict))
            {
                string? name = KeyText(key);
                if (name == null) continue;
                if (!first) _out.Append(separator);
                first = false;
                WriteString(name);
                _out.Append(_keySeparator);
                WriteValue(value, level);
            }
            Close('}', level, newline);
            _depth--;
            Unmark(dict);
        }

        /// <summary>The entries to write; with sort_keys, CPython sorts the (key, value) tuples, so mixed key types fail.</summary>
        private IEnumerable<KeyValuePair<object, object>> Entries(PyDict dict)
        {
            var entries = dict.Items.ToList();
            if (!SortKeys) return entries;
            var pairs = entries.Select(kv => (object)PyTuple.Of(kv.Key, kv.Value)).ToList();
            ListMethods.Sort(pairs, null, false, "json.dumps()");
            return pairs.Select(p => new KeyValuePair<object, object>(((PyTuple)p).Items[0], ((PyTuple)p).Items[1]));
        }

        /// <summary>A dict key as JSON text: str, float, bool, None and int keys convert; null means skip it (skipkeys).</summary>
        private string? KeyText(object key) => key switch
        {
            string s => s,
            double d => FloatText(d),
            bool b => b ? "true" : "false",
            PyNone => "null",
            long or BigInteger => IntOps.ToString(key),
            _ when SkipKeys => null,
            _ => throw Errors.TypeError($"keys must be str, int, float, bool or None, not {Ops.TypeName(key)}"),
        };

        private string FloatText(double d)
        {
            if (double.IsFinite(d)) return Ops.Repr(d);
            if (!AllowNan)
            {
                throw Errors.ValueError(PythonEncoder
                    ? "Out of range float values are not JSON compliant: " + Ops.Repr(d)
                    : "Out of range float values are not JSON compliant");
            }
            return double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
        }

        /// <summary>
        /// A JSON string literal. Control characters, quote and backslash are always escaped; with
        /// ensure_ascii everything outside ' '..'~' becomes \uXXXX too, astral characters as their
        /// surrogate pair, which is exactly the two UTF-16 units of a .NET string.
        /// </summary>
        private void WriteString(string s)
        {
            BuiltinWork.Chars(s.Length);
            _out.Append('"');
            int written = 0;
            foreach (char c in s)
            {
                // An escaped character takes up to six: the text is checked as it grows.
                if ((++written & 0x3FFF) == 0) ValueSize.EnsureChars(_out.Length);
                switch (c)
                {
                    case '"': _out.Append("\\\""); break;
                    case '\\': _out.Append("\\\\"); break;
                    case '\n': _out.Append("\\n"); break;
                    case '\r': _out.Append("\\r"); break;
                    case '\t': _out.Append("\\t"); break;
                    case '\b': _out.Append("\\b"); break;
                    case '\f': _out.Append("\\f"); break;
                    default:
                        if (c < ' ' || (EnsureAscii && c > '~')) _out.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else _out.Append(c);
                        break;
                }
            }
            _out.Append('"');
        }
    }

    /// <summary>
    /// One call of loads: a recursive-descent parser that follows CPython's C scanner (_json.c)
    /// step for step, so that each malformed document fails with the same message at the same
    /// position. Positions in messages count code points, as Python strings do.
    /// </summary>
    private sealed class Decoder
    {
        public object? ObjectHook, PairsHook, ParseFloat, ParseInt, ParseConstant;
        /// <summary>Set when a hook is script: each hook call is left as (JsonHookCall, hook, argument) for _json_resolve.</summary>
        public bool DeferHooks;
        public bool Strict = true;

        private readonly string _s;
        private int _depth;
        private int _work;
        private readonly int _limit = NestingLimit();

        public Decoder(string text) => _s = text;

        public object Decode()
        {
            int end = SkipSpace(0);
            var value = ScanOnce(end, out end);
            end = SkipSpace(end);
            if (end != _s.Length) throw Error("Extra data", end);
            return value;
        }

        /// <summary>A JSONDecodeError: "msg: line L column C (char P)", with msg, doc, pos, lineno and colno attributes.</summary>
        public static ScriptError Error(string message, string doc, int index)
        {
            int pos = CodePoints(doc, 0, index);
            int lastNewline = doc.LastIndexOf('\n', Math.Max(0, index - 1), index);
            int line = 1;
            for (int i = 0; i < index; i++)
                if (doc[i] == '\n') line++;
            int column = lastNewline < 0 ? pos + 1 : CodePoints(doc, lastNewline, index);
            var e = new PyException(DecodeError, PyTuple.Of($"{message}: line {line} column {column} (char {pos})"));
            e.Attributes["msg"] = message;
            e.Attributes["doc"] = doc;
            e.Attributes["pos"] = Boxes.Int(pos);
            e.Attributes["lineno"] = Boxes.Int(line);
            e.Attributes["colno"] = Boxes.Int(column);
            return new ScriptError(e);
        }

        /// <summary>How many code points the UTF-16 units [from, to) of [s] hold: a surrogate pair is one.</summary>
        private static int CodePoints(string s, int from, int to)
        {
            int n = to - from;
            for (int i = from + 1; i < to; i++)
                if (char.IsLowSurrogate(s[i]) && char.IsHighSurrogate(s[i - 1])) n--;
            return n;
        }

        private ScriptError Error(string message, int index) => Error(message, _s, index);

        /// <summary>JSON whitespace is only space, tab, newline and carriage return.</summary>
        private int SkipSpace(int i)
        {
            while (i < _s.Length && _s[i] is ' ' or '\t' or '\n' or '\r') i++;
            return i;
        }

        private bool At(int i, string word) =>
            i + word.Length <= _s.Length && string.CompareOrdinal(_s, i, word, 0, word.Length) == 0;

        /// <summary>Reads the value starting exactly at [i]; [next] is the index after it.</summary>
        [MethodImpl(AggressiveOptimization)]
        private object ScanOnce(int i, out int next)
        {
            BuiltinWork.Step(ref _work);
            if (i >= _s.Length) throw Error("Expecting value", i);
            switch (_s[i])
            {
                case '"':
                    return ScanString(i + 1, out next);
                case '{':
                    Enter("object");
                    var obj = ParseObject(i + 1, out next);
                    _depth--;
                    return obj;
                case '[':
                    Enter("array");
                    var array = ParseArray(i + 1, out next);
                    _depth--;
                    return array;
                case 'n' when At(i, "null"):
                    next = i + 4;
                    return PyNone.Value;
                case 't' when At(i, "true"):
                    next = i + 4;
                    return Boxes.True;
                case 'f' when At(i, "false"):
                    next = i + 5;
                    return Boxes.False;
                case 'N' when At(i, "NaN"):
                    next = i + 3;
                    return Constant("NaN", double.NaN);
                case 'I' when At(i, "Infinity"):
                    next = i + 8;
                    return Constant("Infinity", double.PositiveInfinity);
                case '-' when At(i, "-Infinity"):
                    next = i + 9;
                    return Constant("-Infinity", double.NegativeInfinity);
            }
            return ScanNumber(i, out next);
        }

        private void Enter(string kind)
        {
            if (++_depth > _limit || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
                throw Errors.New(ExceptionTypes.RecursionError, $"maximum recursion depth exceeded while decoding a JSON {kind} from a unicode string");
        }

        private object Constant(string name, double value) =>
            ParseConstant != null ? Call(ParseConstant, name) : value;

        private object Call(object hook, object argument) => DeferHooks
            ? PyTuple.Of(BuiltinFunctions.JsonHookCall, hook, argument)
            : Interpreter.Current.CallNested(hook, new[] { argument }, null, "json.loads()");

        [MethodImpl(AggressiveOptimization)]
        private object ParseObject(int i, out int next)
        {
            var pairs = new List<(object Key, object Value)>();
            i = SkipSpace(i);
            if (i >= _s.Length || _s[i] != '}')
            {
                for (;;)
                {
                    if (i >= _s.Length || _s[i] != '"') throw Error("Expecting property name enclosed in double quotes", i);
                    var key = ScanString(i + 1, out i);
                    i = SkipSpace(i);
                    if (i >= _s.Length || _s[i] != ':') throw Error("Expecting ':' delimiter", i);
                    i = SkipSpace(i + 1);
                    var value = ScanOnce(i, out i);
                    pairs.Add((key, value));
                    i = SkipSpace(i);
                    if (i < _s.Length && _s[i] == '}') break;
                    if (i >= _s.Length || _s[i] != ',') throw Error("Expecting ',' delimiter", i);
                    i = SkipSpace(i + 1);
                }
            }
            next = i + 1;
            if (PairsHook != null)
                return Call(PairsHook, new PyList(pairs.Select(p => (object)PyTuple.Of(p.Key, p.Value)).ToList()));
            var dict = new PyDict(pairs.Count);
            // A repeated key keeps its first position and takes its last value, as dict assignment does.
            foreach (var (key, value) in pairs) dict.Set(key, value);
            return ObjectHook != null ? Call(ObjectHook, dict) : dict;
        }

        [MethodImpl(AggressiveOptimization)]
        private object ParseArray(int i, out int next)
        {
            var items = new List<object>();
            i = SkipSpace(i);
            if (i >= _s.Length || _s[i] != ']')
            {
                for (;;)
                {
                    ValueSize.EnsureGrowth(items.Count + 1, ValueSize.BytesPerItem);
                    items.Add(ScanOnce(i, out i));
                    i = SkipSpace(i);
                    if (i < _s.Length && _s[i] == ']') break;
                    if (i >= _s.Length || _s[i] != ',') throw Error("Expecting ',' delimiter", i);
                    i = SkipSpace(i + 1);
                }
            }
            next = i + 1;
            return new PyList(items);
        }

        /// <summary>
        /// Reads a string whose opening quote is just before [end]; [next] is the index after the
        /// closing quote. \uXXXX escapes of a surrogate pair are joined; lone surrogates are kept.
        /// </summary>
        private string ScanString(int end, out int next)
        {
            int begin = end - 1;
            var sb = new StringBuilder();
            for (;;)
            {
                int i = end;
                char c = '\0';
                for (; i < _s.Length; i++)
                {
                    c = _s[i];
                    if (c == '"' || c == '\\') break;
                    if (c <= '\x1f' && Strict) throw Error("Invalid control character at", i);
                }
                if (i == _s.Length) throw Error("Unterminated string starting at", begin);
                sb.Append(_s, end, i - end);
                i++;
                if (c == '"')
                {
                    next = i;
                    return sb.ToString();
                }
                if (i == _s.Length) throw Error("Unterminated string starting at", begin);
                c = _s[i];
                if (c != 'u')
                {
                    end = i + 1;
                    sb.Append(c switch
                    {
                        '"' or '\\' or '/' => c,
                        'b' => '\b',
                        'f' => '\f',
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        _ => throw Error("Invalid \\escape", end - 2),
                    });
                    continue;
                }
                // i is at the 'u'; the four hex digits must be followed by at least one more character.
                end = i + 5;
                if (end >= _s.Length) throw Error("Invalid \\uXXXX escape", i);
                int unit = HexDigits(i + 1) ?? throw Error("Invalid \\uXXXX escape", i);
                sb.Append((char)unit);
                if (char.IsHighSurrogate((char)unit) && end + 6 < _s.Length && _s[end] == '\\' && _s[end + 1] == 'u')
                {
                    int low = HexDigits(end + 2) ?? throw Error("Invalid \\uXXXX escape", end + 1);
                    if (char.IsLowSurrogate((char)low))
                    {
                        sb.Append((char)low);
                        end += 6;
                    }
                }
            }
        }

        private int? HexDigits(int i)
        {
            int value = 0;
            for (int k = i; k < i + 4; k++)
            {
                int digit = _s[k] switch
                {
                    >= '0' and <= '9' => _s[k] - '0',
                    >= 'a' and <= 'f' => _s[k] - 'a' + 10,
                    >= 'A' and <= 'F' => _s[k] - 'A' + 10,
                    _ => -1,
                };
                if (digit < 0) return null;
                value = value * 16 + digit;
            }
            return value;
        }

        private static bool IsDigit(char c) => c is >= '0' and <= '9';

        /// <summary>
        /// A number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?, taking the fraction and the
        /// exponent only when complete (so "1." reads 1 and leaves the dot). Ints may be big.
        /// </summary>
        private object ScanNumber(int start, out int next)
        {
            int i = start, n = _s.Length;
            if (i < n && _s[i] == '-') i++;
            if (i < n && _s[i] is >= '1' and <= '9')
            {
                i++;
                while (i < n && IsDigit(_s[i])) i++;
            }
            else if (i < n && _s[i] == '0') i++;
            else throw Error("Expecting value", start);

            bool isFloat = false;
            if (i < n - 1 && _s[i] == '.' && IsDigit(_s[i + 1]))
            {
                isFloat = true;
                i += 2;
                while (i < n && IsDigit(_s[i])) i++;
            }
            if (i < n - 1 && _s[i] is 'e' or 'E')
            {
                int exponentStart = i++;
                if (i < n - 1 && _s[i] is '-' or '+') i++;
                while (i < n && IsDigit(_s[i])) i++;
                if (IsDigit(_s[i - 1])) isFloat = true;
                else i = exponentStart;
            }
            next = i;
            var text = _s.Substring(start, i - start);
            if (isFloat)
                return ParseFloat != null ? Call(ParseFloat, text) : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (ParseInt != null) return Call(ParseInt, text);
            return text.Length <= 18 ? Boxes.Int(long.Parse(text, CultureInfo.InvariantCulture)) : NumberText.ParseInt(text, 10);
        }
    }
}
