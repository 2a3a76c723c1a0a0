using System.Text;
using Newtonsoft.Json.Linq;

namespace Workflow.Pickling;

/// <summary>
/// A sleeping instance's frame chain read straight from its pickle, without the program or a VM:
/// each tasklet, what it waits for, and each frame's function, line and live variables (`wf stack`,
/// and the REST API's stack route). Variables are shown as JSON data where they are data (lists,
/// dicts, instances' attributes, to a few levels), and as a short description otherwise.
/// </summary>
public static class StackReport
{
    private const int MaxDepth = 4;
    private const int MaxItems = 50;

    /// <summary>
    /// The frame chains as JSON: <c>{"tasklets": [{"id", "main", "state", "waitingFor"?, "frames":
    /// [{"module", "function", "line", "locals": {...}}…]}…]}</c>, frames outermost first.
    /// Throws PickleException when the pickle is not one.
    /// </summary>
    public static JObject Json(byte[] pickle)
    {
        JObject root;
        try
        {
            // Json.NET's reader stops at a nesting depth of 64, as the unpickler does.
            root = JObject.Parse(System.Text.Encoding.UTF8.GetString(pickle));
        }
        catch (Newtonsoft.Json.JsonException e)
        {
            throw new PickleException((e as Newtonsoft.Json.JsonReaderException)?.Path ?? "", "not valid JSON: " + e.Message);
        }
        var reader = new Reader(root);
        var tasklets = new JArray();
        var mainId = root["main"]?.Value<long?>();
        var waits = WaitReasons(root);
        var scheduled = new HashSet<long>((root["queue"] as JArray ?? new JArray()).Select(q => q.Type == JTokenType.Integer ? q.Value<long>() : -1));
        if (root["running"] is { Type: JTokenType.Integer } running) scheduled.Add(running.Value<long>());
        foreach (var t in root["tasklets"] as JArray ?? throw new PickleException("tasklets", "missing"))
        {
            var id = t["id"]?.Type == JTokenType.Integer ? t["id"]!.Value<long>() : -1;
            // As the unpickler reads it: the state is written only where it cannot be told.
            var state = t["state"]?.ToString()
                ?? (t["error"] != null ? "failed" : t["result"] != null ? "completed" : scheduled.Contains(id) ? "runnable" : "blocked");
            if (state is "completed" or "failed") continue;
            var item = new JObject
            {
                ["id"] = t["id"],
                ["main"] = id == mainId,
                ["state"] = state,
            };
            if (t["blockedOn"] is { } on) item["waitingFor"] = on.ToString();
            else if (state == "blocked" && waits.TryGetValue(id, out var reason)) item["waitingFor"] = reason;
            var frames = new JArray();
            foreach (var f in t["frames"] as JArray ?? new JArray())
            {
                var frame = f["generator"] is { } g ? reader.GeneratorFrame(g) : f as JObject;
                if (frame == null) continue;
                var locals = new JObject();
                if (frame["locals"] is JObject vars)
                    foreach (var (name, value) in vars) locals[name] = reader.Render(value!, 0, new HashSet<int>());
                if (frame["cells"] is JObject cells)
                    foreach (var (name, cell) in cells) locals[name] = reader.RenderCell(cell!);
                frames.Add(new JObject
                {
                    ["module"] = frame["module"] ?? "__main__",
                    ["function"] = frame["function"],
                    ["line"] = frame["line"],
                    ["locals"] = locals,
                });
            }
            item["frames"] = frames;
            tasklets.Add(item);
        }
        return new JObject { ["tasklets"] = tasklets };
    }

    /// <summary>What each waiting tasklet waits for, found where it waits: a channel, a future, another tasklet.</summary>
    /// <summary>
    /// What a future heap entry waits for, as the VM says it (PyFuture.Description): futures are
    /// written compactly, their type as the key ({"activity": name, "sequence": n}); null for
    /// an entry that is not a future.
    /// </summary>
    private static string? FutureDescription(JObject entry)
    {
        if (entry["signal"] is { } signal) return $"signal '{signal}'";
        if (entry["activity"] is { } activity) return $"activity '{activity}'";
        if (entry["child"] is { } child) return $"child '{child}'";
        if (entry["timer"] is JValue { Type: JTokenType.Integer } due)
            return $"timer due {DateTimeOffset.FromUnixTimeMilliseconds(due.Value<long>()):yyyy-MM-dd HH:mm:ss.fff}Z";
        if (entry["gather"] is JArray gather) return $"gather of {gather.Count}";
        if (entry["first"] is JArray first) return $"first of {first.Count}";
        if (entry["kind"]?.ToString() == "future") return $"{entry["type"]} '{entry["name"]}'";
        return null;
    }

    private static Dictionary<long, string> WaitReasons(JObject root)
    {
        var reasons = new Dictionary<long, string>();
        void Add(JToken? ids, string reason)
        {
            foreach (var id in ids as JArray ?? new JArray())
                if (id.Type == JTokenType.Integer) reasons[id.Value<long>()] = reason;
        }
        foreach (var entry in (root["heap"] as JArray ?? new JArray()).OfType<JObject>())
        {
            if (FutureDescription(entry) is { } future) Add(entry["awaiters"], future);
            else if (entry["kind"]?.ToString() == "channel")
            {
                Add(new JArray((entry["senders"] as JArray ?? new JArray()).Select(s => s["tasklet"])), "send");
                Add(entry["receivers"], "receive");
            }
        }
        foreach (var t in root["tasklets"] as JArray ?? new JArray()) Add(t["awaiters"], "await");
        return reasons;
    }

    /// <summary>The same as text, innermost frame last, like a traceback.</summary>
    public static string Text(byte[] pickle)
    {
        var json = Json(pickle);
        var sb = new StringBuilder();
        foreach (var t in json["tasklets"]!)
        {
            sb.Append($"tasklet {t["id"]}{((bool)t["main"]! ? " (main)" : "")}: {t["state"]}");
            if (t["waitingFor"] is { } w) sb.Append($", waiting for {w}");
            sb.Append('\n');
            foreach (var f in t["frames"]!)
            {
                sb.Append($"  {f["module"]}, line {f["line"]}, in {f["function"]}\n");
                foreach (var (name, value) in (JObject)f["locals"]!)
                    sb.Append($"    {name} = {value!.ToString(Newtonsoft.Json.Formatting.None)}\n");
            }
        }
        return sb.ToString();
    }

    /// <summary>Follows heap references for display; never recurses more than MaxDepth levels.</summary>
    private sealed class Reader
    {
        private readonly JArray _heap;

        public Reader(JObject root) => _heap = root["heap"] as JArray ?? new JArray();

        private JObject? Entry(JToken reference)
        {
            var index = reference.Type == JTokenType.Integer ? reference.Value<long>() : -1;
            return index >= 0 && index < _heap.Count ? _heap[(int)index] as JObject : null;
        }

        public JObject? GeneratorFrame(JToken generator) =>
            generator is JObject { Count: 1 } o && o["ref"] is { } r ? Entry(r)?["frame"] as JObject : null;

        public JToken RenderCell(JToken cell)
        {
            var entry = cell is JObject o && o["ref"] is { } r ? Entry(r) : null;
            return entry?["value"] is { } v ? Render(v, 0, new HashSet<int>()) : JValue.CreateNull();
        }

        public JToken Render(JToken value, int depth, HashSet<int> path)
        {
            if (value is not JObject tagged || tagged.Count != 1) return value.DeepClone();
            var (tag, inner) = tagged.Properties().Select(p => (p.Name, p.Value)).First();
            switch (tag)
            {
                case "float":
                    return double.TryParse(inner.ToString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
                        ? new JValue(d) : new JValue(inner.ToString());
                case "int": return new JValue(inner.ToString());
                case "builtin": return new JValue($"<built-in function {inner}>");
                case "type": return new JValue($"<class '{inner}'>");
                case "native": return new JValue($"<built-in method {inner}>");
                case "module": return new JValue($"<module '{inner}'>");
                case "tasklet": return new JValue($"<tasklet {inner}>");
                case "def": return new JValue($"<function {inner}>");
                case "const": return new JValue(inner.ToString());
                case "ref": break;
                default: return new JValue("<?>");
            }
            var index = inner.Type == JTokenType.Integer ? (int)inner.Value<long>() : -1;
            var entry = Entry(inner);
            if (entry == null) return new JValue("<?>");
            if (path.Contains(index)) return new JValue("<cycle>");
            // Lists, tuples and dicts are written in the compact form {"list": [items]}.
            var kind = entry["kind"]?.ToString()
                ?? (entry.Count == 1 && entry.Properties().First().Name is "list" or "tuple" or "dict" or "shared" ? entry.Properties().First().Name : null)
                ?? (FutureDescription(entry) != null ? "future" : null);
            var compactItems = entry["items"] ?? (kind is "list" or "tuple" or "dict" ? entry[kind] : null);
            // Every kind that shows what it holds stops at MaxDepth: an exception whose args hold an
            // exception, a hundred thousand deep, must not take the stack (and `wf stack`) down.
            if (depth >= MaxDepth && kind is "list" or "tuple" or "dict" or "instance" or "exception") return new JValue($"<{kind}…>");
            path.Add(index);
            try
            {
                switch (kind)
                {
                    case "list":
                    case "tuple":
                        {
                            var items = new JArray();
                            var source = compactItems as JArray ?? new JArray();
                            foreach (var item in source.Take(MaxItems)) items.Add(Render(item, depth + 1, path));
                            if (source.Count > MaxItems) items.Add($"… {source.Count - MaxItems} more");
                            return items;
                        }
                    case "dict":
                        {
                            var pairs = compactItems as JArray ?? new JArray();
                            if (pairs.All(p => p is JArray { Count: >= 2 } a && StringKey(a[0]) != null))
                            {
                                var obj = new JObject();
                                foreach (var p in pairs.Take(MaxItems)) obj[StringKey(p[0]!)!] = Render(p[1]!, depth + 1, path);
                                if (pairs.Count > MaxItems) obj["…"] = $"{pairs.Count - MaxItems} more";
                                return obj;
                            }
                            var list = new JArray();
                            foreach (var p in pairs.Take(MaxItems).OfType<JArray>().Where(a => a.Count >= 2))
                                list.Add(new JArray(Render(p[0], depth + 1, path), Render(p[1], depth + 1, path)));
                            return list;
                        }
                    case "instance":
                    case "exception":
                        {
                            var obj = new JObject { ["__class__"] = ClassName(entry["class"]) };
                            if (entry["args"] is JArray args) obj["args"] = new JArray(args.Select(a => Render(a, depth + 1, path)));
                            if (entry["attrs"] is JObject attrs)
                                foreach (var (name, v) in attrs) obj[name] = Render(v!, depth + 1, path);
                            return obj;
                        }
                    case "function": return new JValue($"<function {entry["code"]}>");
                    case "class": return new JValue($"<class '{entry["name"]}'>");
                    case "generator": return new JValue($"<generator {entry["frame"]?["function"] ?? entry["function"]}>");
                    case "future":
                        return new JValue($"<future {FutureDescription(entry)} {entry["state"] ?? "pending"}>");
                    case "range": return new JValue($"range({entry["start"]}, {entry["stop"]}, {entry["step"]})");
                    case "shared": return entry["shared"] is { } shared ? Render(shared, depth, path) : new JValue("<?>");
                    default: return new JValue($"<{kind}>");
                }
            }
            finally
            {
                path.Remove(index);
            }
        }

        /// <summary>A dict key that is a string: written inline, or a reference to a string held by several places.</summary>
        private string? StringKey(JToken key) => key.Type == JTokenType.String ? key.ToString()
            : key is JObject { Count: 1 } o && o["ref"] is { } r && Entry(r)?["shared"] is { Type: JTokenType.String } text ? text.ToString()
            : null;

        private string ClassName(JToken? cls) => cls switch
        {
            JObject o when o["type"] is { } t => t.ToString(),
            JObject o when o["ref"] is { } r => Entry(r)?["name"]?.ToString() ?? "?",
            _ => "?",
        };
    }
}
