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
    /// The top-level fields of a stored document (a JSON object JournalEntry wrote), each value kept
    /// as its raw text: payloads in it may nest deeper than a JSON reader's default limit, hold
    /// numbers no .NET type holds (1e400), and dates stay the strings they are. A scan over the text
    /// finds where each value ends (strings and nesting followed, nothing converted).
    /// </summary>
    private static IEnumerable<(string Name, JToken Value)> Fields(string document)
    {
        int i = Skip(document, 0);
        if (i >= document.Length || document[i] != '{') yield break;
        i = Skip(document, i + 1);
        while (i < document.Length && document[i] == '"')
        {
            int nameEnd = StringEnd(document, i);
            var name = (string)JToken.Parse(document[i..nameEnd])!;
            i = Skip(document, nameEnd);
            if (i >= document.Length || document[i] != ':') yield break;
            int valueStart = Skip(document, i + 1), valueEnd = ValueEnd(document, valueStart);
            yield return (name, new JRaw(document[valueStart..valueEnd].TrimEnd()));
            i = Skip(document, valueEnd);
            if (i < document.Length && document[i] == ',') i = Skip(document, i + 1);
        }
    }

    private static int Skip(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
        return i;
    }

    /// <summary>The index just past the string literal starting at [i].</summary>
    private static int StringEnd(string text, int i)
    {
        for (i++; i < text.Length; i++)
        {
            if (text[i] == '\\') i++;
            else if (text[i] == '"') return i + 1;
        }
        return text.Length;
    }

    /// <summary>The index just past the value starting at [i]: at the comma or brace that ends it at depth 0.</summary>
    private static int ValueEnd(string text, int i)
    {
        int depth = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '"') { i = StringEnd(text, i); continue; }
            if (c is '{' or '[') depth++;
            else if (c is '}' or ']')
            {
                if (depth == 0) return i;
                depth--;
            }
            else if (c == ',' && depth == 0) return i;
            i++;
        }
        return i;
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
