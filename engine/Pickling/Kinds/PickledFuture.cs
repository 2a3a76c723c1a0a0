using Newtonsoft.Json.Linq;
using Workflow.Runtime;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// A future, written compactly with its type as the key, no "kind": <c>{"signal"|"activity"|"child":
/// name, …}</c>, <c>{"timer": due in Unix milliseconds, …}</c> or <c>{"gather"|"first": [future…],
/// …}</c>, then <c>"sequence": n, "state": "resolved"|"failed"?, "value": v?, "error": v?,
/// "awaiters": [id…]?</c> (also read: <c>{"kind": "future", "type": "signal", "name": text,
/// "sequence": n}</c>). Made with its type, name and sequence (a combined one with room for its
/// parts); filled with its state, its parts (a pending combined future needs a pending part, and
/// depends on each) and its awaiters, which must be blocked and wait nowhere else.
/// </summary>
internal sealed class PickledFuture : PickledKind<PyFuture>
{
    public override string Key => "future";

    /// <summary>The keys that make an entry a future, one per type.</summary>
    public static readonly string[] TypeKeys = { "signal", "activity", "child", "timer", "gather", "first" };

    protected override void Write(Pickler w, PyFuture future)
    {
        switch (future.Kind)
        {
            case FutureKind.Signal: w.Property("signal", future.Name); break;
            case FutureKind.Activity: w.Property("activity", future.Name); break;
            case FutureKind.Child: w.Property("child", future.Name); break;
            case FutureKind.Timer:
                // Whole milliseconds: exact in JSON, and what the timer row holds.
                w.Property("timer", (long)Math.Round(future.Due * 1000));
                break;
            case FutureKind.Gather:
            case FutureKind.First:
                w.Items(future.Kind == FutureKind.Gather ? "gather" : "first", future.Parts!);
                break;
            default: throw new PickleException("", "the future kind has no name in the pickle: this is a bug in the engine");
        }
        w.Property("sequence", future.Sequence);
        if (future.State != FutureState.Pending) w.Property("state", future.State == FutureState.Resolved ? "resolved" : "failed");
        w.OptionalValue("value", future.Value);
        w.OptionalValue("error", future.Error);
        if (future.Awaiters.Count > 0) w.TaskletIds("awaiters", future.Awaiters);
    }

    public override object Create(Unpickler r, PObject e)
    {
        var sequence = Int(Required(e, "sequence"), 1, int.MaxValue);
        if (e["signal"] is { } signalName) return new PyFuture(FutureKind.Signal, Str(signalName), sequence);
        if (e["activity"] is { } activityName) return new PyFuture(FutureKind.Activity, Str(activityName), sequence);
        if (e["child"] is { } childName) return new PyFuture(FutureKind.Child, Str(childName), sequence);
        if (e["timer"] is { } due) return new PyFuture(FutureKind.Timer, "", sequence, Long(due, 0) / 1000.0);
        // Parts are filled in by Fill, once every heap entry exists.
        if (e["gather"] is { } gatherParts) return new PyFuture(FutureKind.Gather, "", sequence, parts: new PyFuture[Arr(gatherParts).Count]);
        if (e["first"] is { } firstParts) return new PyFuture(FutureKind.First, "", sequence, parts: new PyFuture[Arr(firstParts).Count]);
        var kind = Str(Required(e, "type")) switch
        {
            "signal" => FutureKind.Signal,
            var other => throw Bad(e["type"]!, $"unknown future type '{other}'"),
        };
        return new PyFuture(kind, Str(Required(e, "name")), Int(Required(e, "sequence"), 1, int.MaxValue));
    }

    protected override void Fill(Unpickler r, PyFuture future, PObject e)
    {
        var stateToken = e["state"] ?? new PValue(PickleJsonType.String, "pending");
        future.State = Str(stateToken) switch
        {
            "pending" => FutureState.Pending,
            "resolved" => FutureState.Resolved,
            "failed" => FutureState.Failed,
            var other => throw Bad(stateToken, $"unknown future state '{other}'"),
        };
        if (e["value"] is { } value) future.Value = r.Value(value);
        if (e["error"] is { } error) future.Error = r.Exception(error);
        if (future.State == FutureState.Resolved && future.Value == null) throw Bad(e, "a resolved future needs its value");
        if (future.State == FutureState.Failed && future.Error == null) throw Bad(e, "a failed future needs its error");
        if (future.Parts is { } parts)
        {
            var partTokens = Arr(e[future.Kind == FutureKind.Gather ? "gather" : "first"]!);
            for (int i = 0; i < parts.Length; i++)
            {
                parts[i] = r.Value(partTokens[i]) as PyFuture ?? throw Bad(partTokens[i], "expected a future");
                if (parts[i] == future) throw Bad(partTokens[i], "a future cannot combine itself");
            }
            if (future.IsPending)
            {
                if (!parts.Any(p => p.IsPending)) throw Bad(e, "a pending combined future needs a pending part");
                foreach (var part in parts)
                    if (part.IsPending) (part.Dependents ??= new List<PyFuture>()).Add(future);
            }
        }
        if (e["awaiters"] is { } awaiters)
        {
            if (future.State != FutureState.Pending) throw Bad(awaiters, "only a pending future has awaiters");
            foreach (var a in Arr(awaiters)) future.Awaiters.Add(r.BlockedTasklet(a, future.Description));
        }
    }

    public override JToken Show(StackReader r, JObject entry, int depth, HashSet<int> path) =>
        new JValue($"<future {Description(entry)} {entry["state"] ?? "pending"}>");

    public override void AddWaiters(JObject entry, Action<JToken?, string> add) => add(entry["awaiters"], Description(entry));

    /// <summary>
    /// Adds to [names] the signals a pending future entry would take: its own name for a signal future,
    /// its pending parts' for a first() or gather() (followed through the heap, each entry once).
    /// </summary>
    public static void AddPendingSignals(StackReader reader, JObject entry, List<string> names, HashSet<JObject> seen)
    {
        // A settled future says so; a pending one has no "state" (format 1 wrote "pending").
        if (!seen.Add(entry) || entry["state"]?.ToString() is "resolved" or "failed") return;
        var signal = entry["signal"] ?? (entry["type"]?.ToString() == "signal" ? entry["name"] : null);
        if (signal != null && !names.Contains(signal.ToString())) names.Add(signal.ToString());
        foreach (var part in (entry["gather"] ?? entry["first"]) as JArray ?? new JArray())
            if (part is JObject { Count: 1 } reference && reference["ref"] is { } index && reader.Entry(index) is { } partEntry)
                AddPendingSignals(reader, partEntry, names, seen);
    }

    /// <summary>What a future entry waits for, as the VM says it (PyFuture.Description).</summary>
    private static string Description(JObject entry)
    {
        if (entry["signal"] is { } signal) return $"signal '{signal}'";
        if (entry["activity"] is { } activity) return $"activity '{activity}'";
        if (entry["child"] is { } child) return $"child '{child}'";
        if (entry["timer"] is JValue { Type: JTokenType.Integer } due)
            return $"timer due {DateTimeOffset.FromUnixTimeMilliseconds(due.Value<long>()):yyyy-MM-dd HH:mm:ss.fff}Z";
        if (entry["gather"] is JArray gather) return $"gather of {gather.Count}";
        if (entry["first"] is JArray first) return $"first of {first.Count}";
        return $"{entry["type"]} '{entry["name"]}'";
    }
}
