using System.Text;
using Newtonsoft.Json.Linq;
using Workflow.Pickling.Kinds;

namespace Workflow.Pickling;

/// <summary>
/// A sleeping instance's frame chain read straight from its pickle, without the program or a VM:
/// each tasklet, what it waits for, and each frame's function, line and live variables (`wf stack`,
/// and the REST API's stack route). Variables are shown as JSON data where they are data (lists,
/// dicts, instances' attributes, to a few levels), and as a short description otherwise.
/// </summary>
public static class StackReport
{
    /// <summary>
    /// The frame chains as JSON: <c>{"tasklets": [{"id", "main", "state", "waitingFor"?,
    /// "awaitedSignals"?, "frames": [{"module", "function", "line", "locals": {...}}…]}…]}</c>, frames
    /// outermost first. awaitedSignals names the signals a blocked tasklet's await would take, directly or
    /// as a pending part of a first()/gather() (waitingFor says only "first of 2" then), for a client
    /// to offer them; it is left out when there are none.
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
        var reader = new StackReader(root);
        var tasklets = new JArray();
        var mainId = root["main"]?.Value<long?>();
        var waits = WaitReasons(root);
        var signals = AwaitedSignals(root, reader);
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
            if (state == "blocked" && signals.TryGetValue(id, out var names)) item["awaitedSignals"] = new JArray(names);
            var frames = new JArray();
            foreach (var f in t["frames"] as JArray ?? new JArray())
            {
                var frame = f["generator"] is { } g ? PickledGenerator.FrameOnChain(reader, g) : f as JObject;
                if (frame == null) continue;
                var locals = new JObject();
                if (frame["locals"] is JObject vars)
                    foreach (var (name, value) in vars) locals[name] = reader.Render(value!, 0, new HashSet<int>());
                if (frame["cells"] is JObject cells)
                    foreach (var (name, cell) in cells) locals[name] = PickledCell.ShowVariable(reader, cell!);
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

    /// <summary>What each waiting tasklet waits for, found where it waits: a channel, a future (their kinds say), another tasklet.</summary>
    private static Dictionary<long, string> WaitReasons(JObject root)
    {
        var reasons = new Dictionary<long, string>();
        void Add(JToken? ids, string reason)
        {
            foreach (var id in ids as JArray ?? new JArray())
                if (id.Type == JTokenType.Integer) reasons[id.Value<long>()] = reason;
        }
        foreach (var entry in (root["heap"] as JArray ?? new JArray()).OfType<JObject>())
            PickledKinds.Of(entry)?.AddWaiters(entry, Add);
        foreach (var t in root["tasklets"] as JArray ?? new JArray()) Add(t["awaiters"], "await");
        return reasons;
    }

    /// <summary>The signal names each tasklet awaiting a future could be woken by, in the order the futures name them, each once.</summary>
    private static Dictionary<long, List<string>> AwaitedSignals(JObject root, StackReader reader)
    {
        var signals = new Dictionary<long, List<string>>();
        foreach (var entry in (root["heap"] as JArray ?? new JArray()).OfType<JObject>())
        {
            if (entry["awaiters"] is not JArray awaiters || PickledKinds.Of(entry) is not PickledFuture) continue;
            var names = new List<string>();
            PickledFuture.AddPendingSignals(reader, entry, names, new HashSet<JObject>());
            if (names.Count == 0) continue;
            foreach (var id in awaiters.Where(a => a.Type == JTokenType.Integer))
            {
                if (!signals.TryGetValue(id.Value<long>(), out var list)) signals[id.Value<long>()] = list = new List<string>();
                list.AddRange(names.Where(n => !list.Contains(n)));
            }
        }
        return signals;
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
}
