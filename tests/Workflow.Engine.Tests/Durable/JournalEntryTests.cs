using Newtonsoft.Json.Linq;
using Workflow.Durable;

namespace Workflow.Tests.Durable;

/// <summary>What a turn writes in its journal entry: consumed, started, waited for, printed, and how it ended.</summary>
public sealed class JournalEntryTests
{
    private static JObject Doc(TurnCommit commit)
    {
        // Dates stay the strings the entry holds (Newtonsoft would otherwise read them as DateTime).
        using var reader = new Newtonsoft.Json.JsonTextReader(new StringReader(commit.Journal!.Json)) { DateParseHandling = Newtonsoft.Json.DateParseHandling.None };
        return JObject.Load(reader);
    }

    private const string Program = """
        def main(input):
            print('starting', input['order'])
            charge = activity('charge_card', input['order'], 12.5, retries=2)
            pause = sleep(60)
            kid = child('ship', {'order': input['order']})
            approval = await signal('approve')
            print('approved by', approval['by'])
            paid = await charge
            await pause
            shipped = await kid
            return {'paid': paid, 'shipped': shipped}
        """;

    [Fact]
    public void A_turn_records_its_input_the_work_it_started_what_it_waits_for_and_what_it_printed()
    {
        var d = new TurnDriver(Program, "{\"order\": 7}");
        var first = d.Turn();
        var doc = Doc(first);
        Assert.Equal("""[{"kind":"start","input":{"order":7}}]""", doc["consumed"]!.ToString(Newtonsoft.Json.Formatting.None));
        var started = (JArray)doc["started"]!;
        Assert.Equal(["activity", "timer", "child"], started.Select(s => (string)s["kind"]!));
        Assert.Equal(("charge_card", 2, "[7,12.5]"), ((string)started[0]["name"]!, (int)started[0]["retries"]!, started[0]["arguments"]!.ToString(Newtonsoft.Json.Formatting.None)));
        Assert.Equal("1970-01-01T00:01:00.000Z".Length, ((string)started[1]["dueAt"]!).Length);
        Assert.Equal(d.Clock.Now.AddSeconds(60).UtcDateTime, DateTime.Parse((string)started[1]["dueAt"]!, null, System.Globalization.DateTimeStyles.AdjustToUniversal));
        Assert.Equal(("ship", "i1." + (int)started[2]["sequence"]!), ((string)started[2]["workflow"]!, (string)started[2]["id"]!));
        Assert.Equal("""[{"kind":"signal","name":"approve"}]""", doc["waitingFor"]!.ToString(Newtonsoft.Json.Formatting.None));
        Assert.Equal("starting 7\n", (string)doc["output"]!);
        Assert.Equal(JournalKinds.Turn, first.Journal!.Kind);
        Assert.True(first.Journal.DurationMicros > 0);
    }

    [Fact]
    public void A_later_turn_records_what_arrived_with_the_names_of_the_futures_it_settled()
    {
        var d = new TurnDriver(Program, "{\"order\": 7}");
        var started = d.Turn();
        int charge = started.Activities[0].Sequence, timer = started.Timers[0].Sequence, kid = started.Children[0].Sequence;
        d.Send(InboxKind.Signal, name: "approve", payload: "{\"by\": \"ann\"}");
        d.Send(InboxKind.ActivityCompleted, charge, payload: "\"ch_1\"", attempts: 2);
        d.Send(InboxKind.ActivityCompleted, 999, payload: "1");
        var second = Doc(d.Turn());
        var consumed = (JArray)second["consumed"]!;
        Assert.Equal("""{"kind":"signal","name":"approve","payload":{"by":"ann"}}""", consumed[0].ToString(Newtonsoft.Json.Formatting.None));
        Assert.Equal($$"""{"kind":"activity_completed","sequence":{{charge}},"name":"charge_card","result":"ch_1","attempts":2}""", consumed[1].ToString(Newtonsoft.Json.Formatting.None));
        Assert.True((bool)consumed[2]["dropped"]!);
        Assert.Equal("approved by ann\n", (string)second["output"]!);
        Assert.Equal($$"""[{"kind":"timer","sequence":{{timer}},"dueAt":"2026-01-01T00:01:00.000Z"}]""", second["waitingFor"]!.ToString(Newtonsoft.Json.Formatting.None));
        Assert.Null(second["started"]);

        d.Send(InboxKind.TimerFired, timer);
        d.Send(InboxKind.ChildCompleted, kid, payload: "true");
        var last = d.Turn();
        var doc = Doc(last);
        Assert.Equal(InstanceStatus.Completed, last.Status);
        Assert.Equal($$"""{"kind":"child_completed","sequence":{{kid}},"workflow":"ship","result":true}""", doc["consumed"]![1]!.ToString(Newtonsoft.Json.Formatting.None));
        Assert.Equal("""{"paid":"ch_1","shipped":true}""", doc["result"]!.ToString(Newtonsoft.Json.Formatting.None));
    }

    [Fact]
    public void A_failure_records_its_traceback_and_the_work_it_called_off()
    {
        var d = new TurnDriver("def main(input):\n    a = activity('slow')\n    await signal('go')\n    raise ValueError('bad input')\n");
        var sequence = d.Turn().Activities[0].Sequence;
        d.Send(InboxKind.Signal, name: "go", payload: "null");
        var failed = d.Turn();
        var doc = Doc(failed);
        Assert.Equal(InstanceStatus.Failed, failed.Status);
        Assert.Contains("ValueError: bad input", (string)doc["error"]!);
        Assert.Contains("line 4", (string)doc["error"]!);
    }

    [Fact]
    public void With_a_commit_at_every_await_each_commit_records_its_own_part_of_the_turn()
    {
        var d = new TurnDriver("def main(input):\n    print('one')\n    a = await activity('a') if False else 0\n    ch = channel()\n    def feed():\n        print('two')\n        ch.send(1)\n    spawn(feed)\n    x = ch.receive()\n    print('three')\n    return x\n")
        {
            Mode = CommitMode.EveryAwait,
        };
        d.Turn();
        var outputs = d.Commits.Select(c => (string?)Doc(c)["output"] ?? "").ToArray();
        Assert.True(d.Commits.Count >= 2, $"{d.Commits.Count} commits");
        Assert.Equal("one\ntwo\nthree\n", string.Concat(outputs));
        Assert.Equal(1, d.Commits.Count(c => Doc(c)["consumed"] != null));
    }

    [Fact]
    public void After_a_rewind_new_futures_take_numbers_from_the_sequence_floor()
    {
        var d = new TurnDriver("def main(input):\n    await signal('go')\n    return await activity('a')\n");
        d.Turn();
        d.SequenceFloor = 40;
        d.Send(InboxKind.Signal, name: "go", payload: "null");
        Assert.Equal(40, d.Turn().Activities.Single().Sequence);
    }
}
