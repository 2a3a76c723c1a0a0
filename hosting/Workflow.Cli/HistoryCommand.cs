using System.CommandLine;
using System.Globalization;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Workflow.Durable;
using Workflow.Hosting.Api;
using Workflow.Pickling;

namespace Workflow.Cli;

/// <summary>
/// `wf history ID --db PATH [--json] [--turn N]`: the instance's journal, one entry per turn; with
/// --turn, that turn in full and the stack its pickle holds. Reads the database only; no worker needed.
/// </summary>
internal static class HistoryCommand
{
    /// <summary>Entries read per query: a long journal is read page by page.</summary>
    private const int PageSize = 500;

    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "the instance id" };
        var db = InstanceCommands.DbOption();
        var json = new Option<bool>("--json") { Description = "print JSON: {turns: [...]} as GET /api/instances/{id}/history gives it" };
        var turn = new Option<int?>("--turn") { Description = "show turn N in full, with the stack of the pickle it committed" };
        var command = new Command("history", "show an instance's journal: what each turn consumed, started and printed, and how it ended") { id, db, json, turn };
        command.SetAction(parse => Run(parse.GetValue(id)!, parse.GetValue(db)!, parse.GetValue(json), parse.GetValue(turn)));
        return command;
    }

    private static int Run(string id, string dbPath, bool json, int? turn)
    {
        using var store = InstanceCommands.OpenExisting(dbPath, out var refused);
        if (store == null) return refused;
        return turn is { } number ? ShowTurn(store, id, number, json) : ShowAll(store, id, dbPath, json);
    }

    private static int ShowAll(IWorkflowStore store, string id, string dbPath, bool json)
    {
        var turns = new List<JObject>();
        int after = 0;
        while (true)
        {
            var page = store.GetHistory(id, after, PageSize);
            if (page == null)
            {
                Console.Error.WriteLine($"wf: no instance '{id}' in {dbPath}");
                return 1;
            }
            turns.AddRange(page.Entries.Select(HistoryJson.Turn));
            if (page.NextAfterTurn is not { } next) break;
            after = next;
        }
        if (json)
        {
            Console.Out.WriteLine(new JObject { ["turns"] = new JArray(turns) }.ToString(Formatting.Indented));
            return 0;
        }
        foreach (var entry in turns) Console.Out.Write(Text(entry));
        return 0;
    }

    private static int ShowTurn(IWorkflowStore store, string id, int number, bool json)
    {
        var page = store.GetHistory(id, number - 1, 1);
        var row = page?.Entries.FirstOrDefault(e => e.Turn == number);
        if (row == null)
        {
            Console.Error.WriteLine(page == null ? $"wf: no instance '{id}'" : $"wf: instance '{id}' has no turn {number} in its journal");
            return 1;
        }
        var pickle = store.GetTurnPickle(id, number)!;
        var entry = HistoryJson.Turn(row);
        try
        {
            if (json)
            {
                if (!pickle.Pruned) entry["stack"] = HistoryJson.Stack(id, pickle);
                Console.Out.WriteLine(entry.ToString(Formatting.Indented));
                return 0;
            }
            Console.Out.Write(Text(entry));
            if (pickle.Pruned) Console.Out.WriteLine("  stack: the pickle was dropped by the journal's retention policy");
            else if (pickle.Pickle != null) Console.Out.Write(StackReport.Text(pickle.Pickle));
            return 0;
        }
        catch (PickleException e)
        {
            Console.Error.WriteLine($"wf: the pickle of turn {number} of instance '{id}' is damaged: {e.Message}");
            return 1;
        }
    }

    /// <summary>One entry as text: a heading line, then what it consumed, started, printed and waits for.</summary>
    private static string Text(JObject entry)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"turn {entry["turn"]}  {entry["at"]}  {entry["kind"]}  {entry["status"]}  {entry["durationMs"]} ms");
        if (entry["worker"] is { Type: JTokenType.String } worker) text.Append(CultureInfo.InvariantCulture, $"  worker {worker}");
        text.Append(CultureInfo.InvariantCulture, $"  pickle {entry["pickleBytes"]} B{((bool)entry["hasPickle"]! || (int)entry["pickleBytes"]! == 0 ? "" : " (dropped)")}\n");
        Line(text, "consumed", entry["consumed"]);
        Line(text, "started", entry["started"]);
        Line(text, "cancelled", entry["cancelled"]);
        Line(text, "waiting for", entry["waitingFor"]);
        foreach (var key in new[] { "reason", "fromTurn", "result" })
            if (entry[key] is { } value) text.Append(CultureInfo.InvariantCulture, $"  {key}: {Compact(value)}\n");
        if (entry["error"] is { } error) text.Append("  error:\n").Append(Indent(Plain(error)));
        if (entry["output"] is { } output) text.Append("  printed:\n").Append(Indent(Plain(output)));
        return text.ToString();
    }

    private static void Line(StringBuilder text, string label, JToken? items)
    {
        if (items == null) return;
        var list = Parse(items) as JArray;
        var shown = list == null ? Compact(items) : string.Join("; ", list.Select(Item));
        text.Append(CultureInfo.InvariantCulture, $"  {label}: {shown}\n");
    }

    /// <summary>An item of a list as a short phrase: its kind, sequence and name first, then its other fields.</summary>
    private static string Item(JToken item)
    {
        if (item is not JObject fields) return Compact(item);
        var words = new List<string>();
        foreach (var key in new[] { "kind", "sequence", "name", "workflow" })
            if (fields[key] is JValue { Value: not null } value) words.Add(value.ToString(CultureInfo.InvariantCulture));
        foreach (var (key, value) in fields)
            if (key is not ("kind" or "sequence" or "name" or "workflow")) words.Add($"{key}={Shorten(Compact(value!))}");
        return string.Join(" ", words);
    }

    private static JToken? Parse(JToken raw)
    {
        try
        {
            using var reader = new JsonTextReader(new StringReader(Compact(raw))) { DateParseHandling = DateParseHandling.None, MaxDepth = 256 };
            return JToken.ReadFrom(reader);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Plain(JToken value) => Parse(value) is JValue { Type: JTokenType.String } s ? (string)s! : Compact(value);

    private static string Compact(JToken value) => value.ToString(Formatting.None);

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..117] + "...";

    private static string Indent(string text) =>
        string.Concat(text.TrimEnd('\n').Split('\n').Select(line => "    " + line + "\n"));
}
