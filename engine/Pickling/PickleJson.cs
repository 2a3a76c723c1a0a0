using System.Collections;
using System.Text;
using Newtonsoft.Json;

namespace Workflow.Pickling;

internal enum PickleJsonType : byte { Object, Array, String, Integer, Float, Boolean, Null }

/// <summary>
/// A small read-only JSON tree that the unpickler reads a pickle into: Json.NET's JsonTextReader
/// scans the bytes, and this tree costs a fraction of Json.NET's JToken tree to build (no line
/// information, no per-object dictionaries, no change tracking), which is most of unpickling's time
/// for small pickles. [Path] is worked out only when an error names it, in Json.NET's JSON-path
/// syntax (`heap[12].items[3]`, `attrs['a b']`).
/// </summary>
internal abstract class PNode
{
    public PNode? Parent { get; private set; }
    private string? _key;
    private int _index;

    public abstract PickleJsonType Type { get; }

    internal void Attach(PNode parent, string? key, int index)
    {
        Parent = parent;
        _key = key;
        _index = index;
    }

    public string Path
    {
        get
        {
            var parts = new List<PNode>();
            for (var n = this; n.Parent != null; n = n.Parent) parts.Add(n);
            var sb = new StringBuilder();
            for (int i = parts.Count - 1; i >= 0; i--)
            {
                var n = parts[i];
                if (n._key == null)
                {
                    sb.Append('[').Append(n._index).Append(']');
                }
                else if (n._key.IndexOfAny(SpecialCharacters) < 0)
                {
                    if (sb.Length > 0) sb.Append('.');
                    sb.Append(n._key);
                }
                else
                {
                    sb.Append("['").Append(Escape(n._key)).Append("']");
                }
            }
            return sb.ToString();
        }
    }

    /// <summary>
    /// The pickle's own keys, so the reader hands out these strings instead of allocating one per
    /// property. Filled once and only read after (Json.NET's reader never adds to it), so threads may share it.
    /// </summary>
    private static readonly DefaultJsonNameTable Keys = MakeKeys();

    private static DefaultJsonNameTable MakeKeys()
    {
        var table = new DefaultJsonNameTable();
        foreach (var key in new[]
                 {
                     "format", "program", "input", "main", "mainCalled", "nextTasklet", "running", "queue", "futures", "nextFuture",
                     "signals", "modules", "name", "builtin", "defs", "globals", "tasklets", "heap", "id", "state", "blockedOn",
                     "receiving", "frames", "resume", "resumeError", "handled", "result", "error", "errorObserved", "awaiters",
                     "generator", "module", "function", "site", "line", "return", "locals", "cells", "stack", "namespace", "extra",
                     "nextDefault", "kind", "items", "list", "tuple", "dict", "value", "class", "args", "attrs", "traceback",
                     "context", "cause", "suppressContext", "base", "code", "defaults", "kwdefaults", "closure", "self", "method",
                     "started", "finished", "frame", "callerHandled", "capacity", "closed", "buffer", "senders", "tasklet",
                     "receivers", "signal", "sequence", "start", "stop", "step", "view", "index", "count", "changed", "inner",
                     "strict", "done", "target", "channel", "text", "reversed", "range", "ref", "int", "float", "def", "type",
                     "native", "const",
                 })
            table.Add(key);
        return table;
    }

    private static readonly char[] SpecialCharacters =
        { '.', ' ', '\'', '/', '"', '[', ']', '(', ')', '\t', '\n', '\r', '\f', '\b', '\\', '\u0085', '\u2028', '\u2029' };

    private static string Escape(string key)
    {
        var sb = new StringBuilder(key.Length);
        foreach (var c in key)
        {
            switch (c)
            {
                case '\'': sb.Append("\\'"); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\f': sb.Append("\\f"); break;
                case '\b': sb.Append("\\b"); break;
                default:
                    if (c < ' ' || c is '\u0085' or '\u2028' or '\u2029') sb.Append("\\u").Append(((int)c).ToString("x4"));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    public static explicit operator string(PNode node) => ((PValue)node).Value as string ?? throw new InvalidCastException("not a string");
    public static explicit operator bool(PNode node) => ((PValue)node).Value is bool b ? b : throw new InvalidCastException("not a bool");

    /// <summary>
    /// Reads [json] into a tree, iteratively (no recursion however deep the input), refusing
    /// nesting deeper than [maxDepth] like Json.NET's reader does.
    /// </summary>
    public static PNode Parse(TextReader json, int maxDepth)
    {
        using var reader = new JsonTextReader(json)
        {
            DateParseHandling = DateParseHandling.None,
            FloatParseHandling = FloatParseHandling.Double,
            MaxDepth = maxDepth,
            ArrayPool = CharBuffers.Shared,
            PropertyNameTable = Keys,
        };
        var open = new Stack<PNode>();
        string? pendingKey = null;
        while (reader.Read())
        {
            PNode node;
            switch (reader.TokenType)
            {
                case JsonToken.PropertyName:
                    pendingKey = (string)reader.Value!;
                    continue;
                case JsonToken.Comment:
                    continue;
                case JsonToken.EndObject:
                case JsonToken.EndArray:
                    node = open.Pop();
                    if (open.Count == 0) return Finish(reader, node);
                    continue;
                case JsonToken.StartObject:
                    node = new PObject();
                    break;
                case JsonToken.StartArray:
                    node = new PArray();
                    break;
                case JsonToken.String:
                    node = new PValue(PickleJsonType.String, reader.Value);
                    break;
                case JsonToken.Integer:
                    node = new PValue(PickleJsonType.Integer, reader.Value);
                    break;
                case JsonToken.Float:
                    node = new PValue(PickleJsonType.Float, reader.Value);
                    break;
                case JsonToken.Boolean:
                    node = new PValue(PickleJsonType.Boolean, reader.Value);
                    break;
                case JsonToken.Null:
                case JsonToken.Undefined:
                    node = new PValue(PickleJsonType.Null, null);
                    break;
                default:
                    throw new JsonReaderException($"unexpected JSON token {reader.TokenType} at {reader.Path}");
            }
            if (open.Count > 0)
            {
                switch (open.Peek())
                {
                    case PObject o:
                        o.Add(pendingKey!, node);
                        break;
                    case PArray a:
                        a.Add(node);
                        break;
                }
                pendingKey = null;
            }
            else if (node is not (PObject or PArray))
            {
                return Finish(reader, node);
            }
            if (node is PObject or PArray) open.Push(node);
        }
        throw new JsonReaderException("unexpected end of the JSON text" + (open.Count > 0 ? $" at {open.Peek().Path}" : ""));
    }

    private static PNode Finish(JsonTextReader reader, PNode root)
    {
        while (reader.Read())
            if (reader.TokenType != JsonToken.Comment) throw new PickleException("", "unexpected content after the pickle's JSON object");
        return root;
    }
}

internal sealed class PObject : PNode, IEnumerable<KeyValuePair<string, PNode?>>
{
    private readonly List<KeyValuePair<string, PNode?>> _properties = new();

    public override PickleJsonType Type => PickleJsonType.Object;
    public int Count => _properties.Count;

    /// <summary>The value of property [key], or null. Pickle objects are small: a linear search beats a dictionary.</summary>
    public PNode? this[string key]
    {
        get
        {
            foreach (var (name, value) in _properties)
                if (name == key) return value;
            return null;
        }
    }

    internal void Add(string key, PNode value)
    {
        // A repeated key keeps its last value, as Json.NET's JObject does.
        for (int i = 0; i < _properties.Count; i++)
        {
            if (_properties[i].Key != key) continue;
            value.Attach(this, key, 0);
            _properties[i] = new(key, value);
            return;
        }
        value.Attach(this, key, 0);
        _properties.Add(new(key, value));
    }

    /// <summary>The first property (a tagged value's only one).</summary>
    public KeyValuePair<string, PNode?> FirstProperty => _properties[0];

    public IEnumerator<KeyValuePair<string, PNode?>> GetEnumerator() => _properties.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

internal sealed class PArray : PNode, IReadOnlyList<PNode>
{
    private readonly List<PNode> _items = new();

    public override PickleJsonType Type => PickleJsonType.Array;
    public int Count => _items.Count;
    public PNode this[int index] => _items[index];

    internal void Add(PNode item)
    {
        item.Attach(this, null, _items.Count);
        _items.Add(item);
    }

    public IEnumerator<PNode> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

internal sealed class PValue : PNode
{
    private readonly PickleJsonType _type;

    /// <summary>A string, long, BigInteger, double, bool, or null.</summary>
    public object? Value { get; }

    public PValue(PickleJsonType type, object? value)
    {
        _type = type;
        Value = value;
    }

    public override PickleJsonType Type => _type;
}
