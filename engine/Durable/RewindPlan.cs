using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Workflow.Boundary;

namespace Workflow.Durable;

/// <summary>
/// What a rewind to turn N (or a fork at turn N) writes, decided from the journal alone; the
/// stores only carry it out. The rules (README "Rewind and fork"):
/// <list type="bullet">
/// <item>The instance continues from the pickle turn N committed; work started after turn N
/// (activity tasks, timers, children) is called off: tasks and timers deleted, children cancelled,
/// their results no longer expected.</item>
/// <item>Work the turn-N pickle still waits for goes on where it is still in flight; where it was
/// settled after turn N it is started again: an activity runs again under its original idempotency
/// key (it is the same call), a timer is set again for its original due time, a finished child's
/// outcome is delivered again.</item>
/// <item>Signals consumed after turn N are queued again, in their original order, ahead of the
/// signals still waiting in the inbox (unless the operator says not to).</item>
/// <item>New futures take sequence numbers past every one the journal shows (the sequence floor),
/// so work started after the rewind never reuses the idempotency key or child id of work it called off.</item>
/// </list>
/// A fork is a new instance from the same pickle: every piece of work the pickle waits for is its
/// own, started anew under the fork's id.
/// </summary>
internal sealed class RewindPlan
{
    /// <summary>Sequences whose work is called off: tasks and timers deleted, inbox outcomes dropped, children cancelled.</summary>
    public IReadOnlyList<int> CalledOff { get; private init; } = [];
    /// <summary>Children started after turn N (the ids of CalledOff's child futures): each gets a Cancel.</summary>
    public IReadOnlyList<string> CancelledChildren { get; private init; } = [];
    public IReadOnlyList<ActivityRequest> RestartedActivities { get; private init; } = [];
    public IReadOnlyList<TimerRequest> RestartedTimers { get; private init; } = [];
    /// <summary>Children whose outcome is delivered again when they have finished (a rewind), by future sequence.</summary>
    public IReadOnlyList<(int Sequence, string ChildId)> RedeliveredChildren { get; private init; } = [];
    /// <summary>Children started anew (a fork).</summary>
    public IReadOnlyList<ChildRequest> RestartedChildren { get; private init; } = [];
    /// <summary>Signals to queue again, oldest first: (name, payload JSON).</summary>
    public IReadOnlyList<(string Name, string Payload)> RequeuedSignals { get; private init; } = [];
    /// <summary>The lowest sequence number the instance's next future may take.</summary>
    public int SequenceFloor { get; private init; }
    /// <summary>The status the instance takes: the one turn N committed (waiting, or running for a turn whose slice ended).</summary>
    public InstanceStatus Status { get; private init; }
    /// <summary>The journal entry of the act (its document; the store adds the pickle).</summary>
    public required JournalEntry Journal { get; init; }

    /// <summary>
    /// The rewind of [instanceId] to turn [toTurn] of [journal] (its whole journal, in turn order);
    /// [finished]: the instance has ended (its work was deleted then, so nothing of it is in flight).
    /// Throws ArgumentException when turn [toTurn] cannot be resumed (none, or it ended the instance).
    /// </summary>
    public static RewindPlan ForRewind(string instanceId, IReadOnlyList<JournalRow> journal, int toTurn, bool reapplySignals, bool finished, string? reason)
    {
        var target = Target(journal, toTurn);
        var pendingThen = Pending(journal, toTurn);
        var pendingNow = finished ? new Dictionary<int, JObject>() : Pending(journal, journal[^1].Turn);
        var calledOff = pendingNow.Keys.Where(s => !pendingThen.ContainsKey(s)).Order().ToList();
        var restart = pendingThen.Where(p => !pendingNow.ContainsKey(p.Key)).OrderBy(p => p.Key).Select(p => p.Value).ToList();
        var requeued = new List<(string, string)>();
        if (reapplySignals)
            foreach (var row in journal.Where(r => r.Turn > toTurn))
                foreach (var consumed in Items(Document(row), "consumed"))
                    if ((string?)consumed["kind"] == InboxKind.Signal.Name())
                        requeued.Add(((string)consumed["name"]!, Json(consumed["payload"])));

        var journalEntry = new JournalEntry(JournalKinds.Rewind);
        journalEntry.Set("toTurn", toTurn);
        journalEntry.Set("reapplySignals", reapplySignals);
        if (reason != null) journalEntry.Set("reason", reason);
        journalEntry.Set("calledOff", new JArray(calledOff));
        journalEntry.Set("restarted", new JArray(restart));
        journalEntry.Set("requeued", new JArray(requeued.Select(s => new JObject { ["name"] = s.Item1, ["payload"] = new JRaw(s.Item2) })));
        journalEntry.Set("pending", new JArray(pendingThen.OrderBy(p => p.Key).Select(p => p.Value)));
        return new RewindPlan
        {
            CalledOff = calledOff,
            CancelledChildren = calledOff.Where(s => (string?)pendingNow[s]["kind"] == "child").Select(s => ChildInstances.Id(instanceId, s)).ToList(),
            RestartedActivities = restart.Where(IsKind("activity")).Select(Activity).ToList(),
            RestartedTimers = restart.Where(IsKind("timer")).Select(Timer).ToList(),
            RedeliveredChildren = restart.Where(IsKind("child")).Select(c => ((int)c["sequence"]!, (string)c["id"]!)).ToList(),
            RequeuedSignals = requeued,
            SequenceFloor = Floor(journal),
            Status = target.Status,
            Journal = journalEntry,
        };
    }

    /// <summary>A fork of [sourceId] at turn [atTurn] as the new instance [forkId]: everything turn N's pickle waits for starts anew, as the fork's own.</summary>
    public static RewindPlan ForFork(string sourceId, IReadOnlyList<JournalRow> journal, int atTurn, string forkId, string? version)
    {
        var target = Target(journal, atTurn);
        var pending = Pending(journal, atTurn).OrderBy(p => p.Key).Select(p => p.Value).ToList();
        // The fork's children are its own: named after it.
        foreach (var child in pending.Where(IsKind("child"))) child["id"] = ChildInstances.Id(forkId, (int)child["sequence"]!);
        var journalEntry = new JournalEntry(JournalKinds.Fork);
        journalEntry.Set("from", sourceId);
        journalEntry.Set("fromTurn", atTurn);
        if (version != null) journalEntry.Set("version", version);
        journalEntry.Set("restarted", new JArray(pending));
        journalEntry.Set("pending", new JArray(pending));
        return new RewindPlan
        {
            RestartedActivities = pending.Where(IsKind("activity")).Select(Activity).ToList(),
            RestartedTimers = pending.Where(IsKind("timer")).Select(Timer).ToList(),
            RestartedChildren = pending.Where(IsKind("child"))
                .Select(c => new ChildRequest((int)c["sequence"]!, (string)c["workflow"]!, c["input"] is { Type: not JTokenType.Null } input ? Json(input) : null)).ToList(),
            SequenceFloor = 0,
            Status = target.Status,
            Journal = journalEntry,
        };
    }

    /// <summary>Turn [turn] of [journal], refused unless its pickle can be resumed.</summary>
    private static JournalRow Target(IReadOnlyList<JournalRow> journal, int turn)
    {
        var row = journal.FirstOrDefault(r => r.Turn == turn) ?? throw new ArgumentException($"the instance has no turn {turn} in its journal");
        if (row.Status.IsFinal() || row.PickleBytes == 0)
            throw new ArgumentException($"turn {turn} ended the instance ({row.Status.ToString().ToLowerInvariant()}): there is no state to go on from; pick an earlier turn");
        if (!row.HasPickle) throw new ArgumentException($"the pickle turn {turn} committed was dropped by the journal's retention policy");
        return row;
    }

    /// <summary>
    /// The work pending after turn [through] (started, not yet settled or called off), by sequence,
    /// each as the journal's "started" record. A rewind or fork entry says outright what was pending after it.
    /// </summary>
    private static Dictionary<int, JObject> Pending(IReadOnlyList<JournalRow> journal, int through)
    {
        var pending = new Dictionary<int, JObject>();
        foreach (var row in journal)
        {
            if (row.Turn > through) break;
            var document = Document(row);
            if (row.Kind is JournalKinds.Rewind or JournalKinds.Fork)
            {
                pending.Clear();
                foreach (var item in Items(document, "pending")) pending[(int)item["sequence"]!] = item;
                continue;
            }
            foreach (var consumed in Items(document, "consumed"))
                if (consumed["sequence"] is { } sequence) pending.Remove((int)sequence);
            foreach (var started in Items(document, "started")) pending[(int)started["sequence"]!] = started;
            if (document["cancelled"] is JArray cancelled)
                foreach (var sequence in cancelled) pending.Remove((int)sequence);
        }
        return pending;
    }

    /// <summary>One past the largest sequence any work in the journal took.</summary>
    private static int Floor(IReadOnlyList<JournalRow> journal)
    {
        int max = 0;
        foreach (var row in journal)
        {
            var document = Document(row);
            foreach (var key in new[] { "started", "pending" })
                foreach (var item in Items(document, key))
                    if (item["sequence"] is { } sequence) max = Math.Max(max, (int)sequence);
        }
        return max + 1;
    }

    private static Func<JObject, bool> IsKind(string kind) => item => (string?)item["kind"] == kind;

    private static ActivityRequest Activity(JObject a) => new((int)a["sequence"]!, (string)a["name"]!, Json(a["arguments"]),
        a["retries"] is { Type: JTokenType.Integer } retries ? (int)retries : null,
        a["timeout"] is { Type: JTokenType.Float or JTokenType.Integer } timeout ? (double)timeout : null);

    private static TimerRequest Timer(JObject t) => new((int)t["sequence"]!,
        DateTime.Parse((string)t["dueAt"]!, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal));

    private static IEnumerable<JObject> Items(JObject document, string key) => document[key] is JArray list ? list.OfType<JObject>() : [];

    /// <summary>An entry's document, with payloads read the way the engine reads JSON (dates stay strings, deep nesting allowed up to the data limit).</summary>
    private static JObject Document(JournalRow row) => StrictJson.Parse(row.EntryJson) as JObject ?? new JObject();

    private static string Json(JToken? token) => token == null ? "null" : token.ToString(Formatting.None);
}
