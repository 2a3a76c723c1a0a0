using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Workflow.Durable;
using Workflow.Pickling;

namespace Workflow.Hosting.Api;

/// <summary>An instance's journal as the REST API, `wf history --json` and the dashboard show it.</summary>
internal static class HistoryJson
{
    /// <summary>A page: {"turns": [...], "nextCursor": "N" or null}.</summary>
    public static JObject Page(JournalPage page) => new()
    {
        ["turns"] = new JArray(page.Entries.Select(Turn)),
        ["nextCursor"] = page.NextAfterTurn?.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// One entry: its columns (turn, kind, at, worker, durationMs, status, pickleBytes, hasPickle)
    /// followed by the fields of its document (JournalEntry's layout: consumed, started, output…).
    /// </summary>
    public static JObject Turn(JournalRow row)
    {
        var turn = new JObject
        {
            ["turn"] = row.Turn,
            ["kind"] = row.Kind,
            ["at"] = InstanceJson.Time(row.At),
            ["worker"] = row.Worker,
            ["durationMs"] = Math.Round(row.DurationMicros / 1000.0, 3),
            ["status"] = InstanceJson.Status(row.Status),
            ["pickleBytes"] = row.PickleBytes,
            ["hasPickle"] = row.HasPickle,
        };
        foreach (var (name, value) in Fields(row.EntryJson))
            if (turn[name] == null) turn[name] = value;
        return turn;
    }

    /// <summary>
    /// The top-level fields of a stored document, each value kept as raw JSON: payloads in it may
    /// nest deeper than a JSON reader's default limit, and dates stay the strings they are.
    /// </summary>
    private static IEnumerable<(string Name, JToken Value)> Fields(string document)
    {
        using var reader = new JsonTextReader(new StringReader(document))
        {
            DateParseHandling = DateParseHandling.None,
            FloatParseHandling = FloatParseHandling.Decimal,
            MaxDepth = null,
        };
        if (!reader.Read() || reader.TokenType != JsonToken.StartObject) yield break;
        while (reader.Read() && reader.TokenType == JsonToken.PropertyName)
        {
            var name = (string)reader.Value!;
            reader.Read();
            yield return (name, JRaw.Create(reader));
        }
    }

    /// <summary>The frame chain of [turn]'s pickle, as the instance's stack document, with the turn's number.</summary>
    public static JObject Stack(string instanceId, TurnPickle turn)
    {
        var report = turn.Pickle == null ? new JObject { ["tasklets"] = new JArray() } : StackReport.Json(turn.Pickle);
        report.AddFirst(new JProperty("turn", turn.Turn));
        report.AddFirst(new JProperty("status", InstanceJson.Status(turn.Status)));
        report.AddFirst(new JProperty("id", instanceId));
        return report;
    }
}
