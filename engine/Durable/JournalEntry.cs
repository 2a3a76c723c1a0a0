using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Workflow.Runtime;

namespace Workflow.Durable;

/// <summary>What a journal entry records: a turn, or an operator's act on the instance.</summary>
internal static class JournalKinds
{
    public const string Turn = "turn";
    public const string Rewind = "rewind";
    public const string Terminate = "terminate";
    public const string Pause = "pause";
    public const string Resume = "resume";
    public const string Fork = "fork";
}

/// <summary>
/// The journal's record of one commit of an instance, written in the commit's own transaction: what
/// the turn consumed, what it started, what it printed and how it ended. The stores keep beside it
/// the turn number, time, worker, duration, status and the committed pickle.
/// </summary>
/// <remarks>
/// The layout of the stored document (one place for it; the REST API and `wf history` show it as is):
/// <code>
/// {
///   "consumed":  [ {"kind": "start", "input": …}
///                | {"kind": "signal", "name": …, "payload": …}
///                | {"kind": "activity_completed", "sequence": n, "name": …, "result": …, "attempts": n}
///                | {"kind": "activity_failed", "sequence": n, "name": …, "error": "…", "attempts": n}
///                | {"kind": "timer_fired", "sequence": n}
///                | {"kind": "child_completed", "sequence": n, "workflow": …, "result": …}
///                | {"kind": "child_failed", "sequence": n, "workflow": …, "error": "…"}
///                | {"kind": "cancel"} ],            each with "dropped": true when nothing waited for it
///   "started":   [ {"kind": "activity", "sequence": n, "name": …, "arguments": [ … ], "retries": n?, "timeout": s?}
///                | {"kind": "timer", "sequence": n, "dueAt": "ISO 8601 UTC"}
///                | {"kind": "child", "sequence": n, "workflow": …, "input": …, "id": "parent.n"} ],
///   "cancelled": [ n, … ],                          futures called off (their work is deleted)
///   "output":    "what the turn printed",
///   "waitingFor": [ {"kind": "signal", "name": …} | {"kind": "activity", "sequence": n, "name": …}
///                 | {"kind": "timer", "sequence": n, "dueAt": …} | {"kind": "child", "sequence": n, "workflow": …} ],
///   "result": …,  "error": "traceback",            as the instance ended
///   "reason": "…", "fromTurn": n, "requeued": [ … ]  operator acts (terminate, rewind, fork)
/// }
/// </code>
/// Keys without content are left out. Payloads are copied verbatim: they were checked as JSON where they entered.
/// </remarks>
internal sealed class JournalEntry
{
    private readonly JObject _document = new();

    public JournalEntry(string kind = JournalKinds.Turn, string? worker = null)
    {
        Kind = kind;
        Worker = worker;
    }

    public string Kind { get; }

    /// <summary>The worker that ran the turn; null for an operator's act.</summary>
    public string? Worker { get; }

    /// <summary>How long the turn ran, microseconds (unpickle, run, pickle).</summary>
    public long DurationMicros { get; set; }

    /// <summary>The document, compact.</summary>
    public string Json => _document.ToString(Formatting.None);

    public void ConsumedStart(string? inputJson) =>
        Add("consumed", new JObject { ["kind"] = "start", ["input"] = Raw(inputJson) });

    /// <summary>An inbox entry the turn consumed; [future] is the one it settled (its name says which activity or child).</summary>
    public void Consumed(InboxEntry entry, PyFuture? future, bool delivered)
    {
        var item = new JObject { ["kind"] = entry.Kind.Name() };
        switch (entry.Kind)
        {
            case InboxKind.Signal:
                item["name"] = entry.Name;
                item["payload"] = Raw(entry.Payload);
                break;
            case InboxKind.ActivityCompleted:
            case InboxKind.ActivityFailed:
                item["sequence"] = entry.Sequence;
                if (future != null) item["name"] = future.Name;
                Outcome(item, entry);
                if (entry.Attempts != null) item["attempts"] = entry.Attempts;
                break;
            case InboxKind.ChildCompleted:
            case InboxKind.ChildFailed:
                item["sequence"] = entry.Sequence;
                if (future != null) item["workflow"] = future.Name;
                Outcome(item, entry);
                break;
            case InboxKind.TimerFired:
                item["sequence"] = entry.Sequence;
                break;
        }
        if (!delivered) item["dropped"] = true;
        Add("consumed", item);
    }

    /// <summary>An outcome's payload: the JSON result of a completion, the message of a failure.</summary>
    private static void Outcome(JObject item, InboxEntry entry)
    {
        if (entry.Kind is InboxKind.ActivityCompleted or InboxKind.ChildCompleted) item["result"] = Raw(entry.Payload);
        else item["error"] = entry.Payload;
    }

    /// <summary>The work a commit starts and calls off ([instanceId] names its children).</summary>
    public void Started(string instanceId, IEnumerable<ActivityRequest> activities, IEnumerable<TimerRequest> timers,
        IEnumerable<ChildRequest> children, IEnumerable<int> cancelled)
    {
        foreach (var a in activities)
        {
            var item = new JObject { ["kind"] = "activity", ["sequence"] = a.Sequence, ["name"] = a.Name, ["arguments"] = Raw(a.ArgumentsJson) };
            if (a.Retries != null) item["retries"] = a.Retries;
            if (a.TimeoutSeconds != null) item["timeout"] = a.TimeoutSeconds;
            Add("started", item);
        }
        foreach (var t in timers)
            Add("started", new JObject { ["kind"] = "timer", ["sequence"] = t.Sequence, ["dueAt"] = Time(t.DueAt) });
        foreach (var c in children)
            Add("started", new JObject
            {
                ["kind"] = "child", ["sequence"] = c.Sequence, ["workflow"] = c.Workflow, ["input"] = Raw(c.InputJson),
                ["id"] = ChildInstances.Id(instanceId, c.Sequence),
            });
        foreach (var sequence in cancelled) Add("cancelled", new JValue(sequence));
    }

    /// <summary>What the instance waits for at the end of the commit.</summary>
    public void WaitingFor(IEnumerable<PyFuture> futures)
    {
        foreach (var f in futures)
        {
            var item = new JObject { ["kind"] = f.Kind.ToString().ToLowerInvariant() };
            switch (f.Kind)
            {
                case FutureKind.Signal: item["name"] = f.Name; break;
                case FutureKind.Activity: item["sequence"] = f.Sequence; item["name"] = f.Name; break;
                case FutureKind.Child: item["sequence"] = f.Sequence; item["workflow"] = f.Name; break;
                case FutureKind.Timer:
                    item["sequence"] = f.Sequence;
                    item["dueAt"] = Time(DateTime.UnixEpoch.AddTicks((long)Math.Round(f.Due * TimeSpan.TicksPerSecond)));
                    break;
            }
            Add("waitingFor", item);
        }
    }

    public void Output(string text)
    {
        if (text.Length > 0) _document["output"] = text;
    }

    public void Result(string? resultJson) => _document["result"] = Raw(resultJson);

    public void Error(string? error)
    {
        if (error != null) _document["error"] = error;
    }

    /// <summary>A field of an operator's act (reason, fromTurn, requeued…).</summary>
    public void Set(string key, JToken value) => _document[key] = value;

    private void Add(string key, JToken item)
    {
        if (_document[key] is not JArray list) _document[key] = list = new JArray();
        list.Add(item);
    }

    private static JToken Raw(string? json) => json == null ? JValue.CreateNull() : new JRaw(json);

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
