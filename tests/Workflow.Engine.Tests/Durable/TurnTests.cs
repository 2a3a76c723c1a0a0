using Workflow.Durable;

namespace Workflow.Tests.Durable;

/// <summary>The futures of LANGUAGE.md across real pickles: each turn starts from the previous turn's pickle.</summary>
public class TurnTests
{
    [Fact]
    public void An_activity_is_requested_then_its_result_resumes_the_instance()
    {
        var d = new TurnDriver("def main(input):\n    x = await activity('echo', input['n'], 'two', retries=3, timeout=1.5)\n    return x + 1\n", "{\"n\": 41}");
        var first = d.Turn();
        Assert.Equal(InstanceStatus.Waiting, first.Status);
        var request = Assert.Single(first.Activities);
        Assert.Equal(("echo", "[41, \"two\"]", 3, 1.5), (request.Name, request.ArgumentsJson, request.Retries, request.TimeoutSeconds));
        Assert.NotNull(first.Pickle);
        d.Send(InboxKind.ActivityCompleted, request.Sequence, payload: "41");
        var second = d.Turn();
        Assert.Equal((InstanceStatus.Completed, "42"), (second.Status, second.ResultJson));
        Assert.Empty(second.Activities);
    }

    [Fact]
    public void Gather_returns_results_in_argument_order_whatever_order_they_arrive_in()
    {
        var d = new TurnDriver("def main(input):\n    fs = [activity('echo', i) for i in range(3)]\n    return await gather(*fs)\n");
        var sequences = d.Turn().Activities.Select(a => a.Sequence).ToArray();
        Assert.Equal(3, sequences.Length);
        d.Send(InboxKind.ActivityCompleted, sequences[2], payload: "\"c\"");
        Assert.Equal(InstanceStatus.Waiting, d.Turn().Status);
        d.Send(InboxKind.ActivityCompleted, sequences[0], payload: "\"a\"");
        d.Send(InboxKind.ActivityCompleted, sequences[1], payload: "\"b\"");
        Assert.Equal("[\"a\", \"b\", \"c\"]", d.Turn().ResultJson);
    }

    [Fact]
    public void A_failed_activity_raises_ActivityError_with_the_cause_and_gather_fails_with_it()
    {
        var d = new TurnDriver(
            "def main(input):\n    try:\n        await gather(activity('a'), activity('b'))\n    except ActivityError as e:\n        return 'caught: ' + str(e)\n");
        var requests = d.Turn().Activities;
        d.Send(InboxKind.ActivityFailed, requests[1].Sequence, payload: "connection refused");
        Assert.Equal("\"caught: connection refused\"", d.Turn().ResultJson);
    }

    [Fact]
    public void First_gives_the_index_and_value_of_the_first_to_finish_and_sleep_uses_the_clock()
    {
        var d = new TurnDriver("def main(input):\n    i, v = await first(signal('approve'), sleep(hours(2)))\n    return [i, v, now()]\n");
        var turn = d.Turn();
        var timer = Assert.Single(turn.Timers);
        Assert.Equal(d.Clock.Now.UtcDateTime.AddHours(2), timer.DueAt);
        d.Clock.Now = d.Clock.Now.AddHours(2);
        d.Send(InboxKind.TimerFired, timer.Sequence);
        var end = d.Turn();
        var expectedNow = (d.Clock.Now - DateTimeOffset.UnixEpoch).TotalSeconds;
        Assert.Equal($"[1, null, {expectedNow:0.0}]", end.ResultJson);
    }

    [Fact]
    public void A_signal_sent_before_the_workflow_waits_is_kept_in_order()
    {
        var d = new TurnDriver("def main(input):\n    a = await sleep(1)\n    x = await signal('s')\n    y = await signal('s')\n    return [x, y]\n");
        var timer = d.Turn().Timers[0];
        d.Send(InboxKind.Signal, name: "s", payload: "1");
        d.Send(InboxKind.Signal, name: "s", payload: "2");
        Assert.Equal(InstanceStatus.Waiting, d.Turn().Status);
        d.Send(InboxKind.TimerFired, timer.Sequence);
        Assert.Equal("[1, 2]", d.Turn().ResultJson);
    }

    [Fact]
    public void Cancellation_raises_CancelledError_at_the_await_runs_finally_and_calls_off_the_pending_work()
    {
        var d = new TurnDriver("def main(input):\n    try:\n        await gather(activity('charge'), sleep(days(3)))\n    finally:\n        print('cleanup')\n");
        var first = d.Turn();
        d.Send(InboxKind.Cancel);
        var end = d.Turn();
        Assert.Equal(InstanceStatus.Cancelled, end.Status);
        Assert.Equal("cleanup\n", d.Output.ToString());
        Assert.Equal(first.Activities.Select(a => a.Sequence).Concat(first.Timers.Select(t => t.Sequence)).OrderBy(s => s), end.Cancelled.OrderBy(s => s));
        Assert.Contains("CancelledError: the workflow was cancelled", end.Error);
    }

    [Fact]
    public void A_workflow_that_catches_CancelledError_can_compensate_and_complete()
    {
        var d = new TurnDriver("def main(input):\n    try:\n        await activity('ship')\n        return 'shipped'\n    except CancelledError:\n        r = await activity('refund', 10)\n        return 'refunded ' + str(r)\n");
        d.Turn();
        d.Send(InboxKind.Cancel);
        var compensating = d.Turn();
        Assert.Equal(InstanceStatus.Waiting, compensating.Status);
        var refund = Assert.Single(compensating.Activities);
        Assert.Equal("refund", refund.Name);
        d.Send(InboxKind.ActivityCompleted, refund.Sequence, payload: "10");
        var end = d.Turn();
        Assert.Equal((InstanceStatus.Completed, "\"refunded 10\""), (end.Status, end.ResultJson));
    }

    [Fact]
    public void A_child_workflow_result_or_failure_reaches_the_parent()
    {
        var d = new TurnDriver("def main(input):\n    a = await child('billing', {'n': 1})\n    try:\n        await child('billing')\n    except ChildError as e:\n        return [a, str(e)]\n");
        var child = Assert.Single(d.Turn().Children);
        Assert.Equal(("billing", "{\"n\": 1}"), (child.Workflow, child.InputJson));
        d.Send(InboxKind.ChildCompleted, child.Sequence, payload: "{\"ok\": true}");
        var second = Assert.Single(d.Turn().Children);
        d.Send(InboxKind.ChildFailed, second.Sequence, payload: "ValueError: no card");
        Assert.Equal("[{\"ok\": true}, \"ValueError: no card\"]", d.Turn().ResultJson);
    }

    [Theory]
    [InlineData("activity('x', {1: 2})", "dict key 1 is not a string")]
    [InlineData("activity('x', [1, object()])", "object of type 'object' at [0][1]")]
    [InlineData("child('w', float('nan'))", "nan at the top")]
    public void Values_that_are_not_JSON_data_are_a_TypeError_at_the_call(string call, string message)
    {
        var d = new TurnDriver($"def main(input):\n    try:\n        {call}\n    except TypeError as e:\n        return str(e)\n");
        var end = d.Turn();
        Assert.Equal(InstanceStatus.Completed, end.Status);
        Assert.Contains(message, end.ResultJson);
        Assert.Empty(end.Activities);
    }

    [Fact]
    public void A_cancel_before_the_first_turn_ends_the_instance_without_running_it()
    {
        var d = new TurnDriver("print('never')\n");
        d.Send(InboxKind.Cancel);
        Assert.Equal(InstanceStatus.Cancelled, d.Turn().Status);
        Assert.Equal("", d.Output.ToString());
    }

    [Fact]
    public void Commit_at_every_await_commits_after_each_await_and_channel_operation()
    {
        const string source = "def producer(ch):\n    for i in range(3):\n        ch.send(i)\n    ch.close()\ndef main(input):\n    ch = channel()\n    spawn(producer, ch)\n    total = 0\n    for v in ch:\n        total += v\n    x = await activity('echo', total)\n    return x\n";
        var everyTurn = new TurnDriver(source);
        everyTurn.Turn();
        Assert.Equal(0, everyTurn.IntermediateCommits);

        var everyAwait = new TurnDriver(source) { Mode = CommitMode.EveryAwait };
        var first = everyAwait.Turn();
        // 4 sends/close attempts and 4 receives at least, each followed by a commit; the activity's request goes out with the first commit after it.
        Assert.True(everyAwait.IntermediateCommits >= 7, $"{everyAwait.IntermediateCommits} intermediate commits");
        var requested = everyAwait.Commits.SelectMany(c => c.Activities).ToArray();
        Assert.Single(requested);
        everyAwait.Send(InboxKind.ActivityCompleted, requested[0].Sequence, payload: "3");
        var end = everyAwait.Turn();
        Assert.True(end.ResultJson == "3", $"{end.Status} {end.Error} {everyAwait.Output}");
    }

    [Fact]
    public void A_damaged_pickle_fails_the_instance_and_keeps_the_pickle()
    {
        var d = new TurnDriver("def main(input):\n    return await signal('go')\n");
        var waiting = d.Turn();
        var damaged = (byte[])waiting.Pickle!.Clone();
        damaged[damaged.Length / 2] = (byte)'@';
        var program = WorkflowProgram.Compile("def main(input):\n    return await signal('go')\n", "test.wf");
        var instance = new InstanceView("i9", "test", program.SourceHash, InstanceStatus.Waiting, null, null, null, damaged, null, 1, DateTime.UtcNow, DateTime.UtcNow);
        var commit = Workflow.Durable.Turn.Run(new ClaimedInstance(instance, 7, new[] { new InboxEntry(3, InboxKind.Signal, 0, "go", "1") }), program, new TurnOptions(), new TurnOutput(1 << 20))!;
        Assert.Equal(InstanceStatus.Failed, commit.Status);
        Assert.Same(damaged, commit.Pickle);
        Assert.Contains("pickle cannot be read", commit.Error);
        Assert.Equal(3, commit.ConsumedThrough);
    }

    [Fact]
    public void A_tasklet_that_looped_over_a_channel_then_awaits_a_signal_pickles_and_resumes()
    {
        // Regression: the wait kept the receive mode of the loop's last blocking receive, and the unpickler refused the pickle.
        var d = new TurnDriver("def producer(ch):\n    ch.send(1)\n    ch.close()\ndef main(input):\n    ch = channel()\n    spawn(producer, ch)\n    for v in ch:\n        pass\n    return await signal('go')\n");
        Assert.Equal(InstanceStatus.Waiting, d.Turn().Status);
        d.Send(InboxKind.Signal, name: "go", payload: "5");
        var end = d.Turn();
        Assert.True(end.ResultJson == "5", $"{end.Status} {end.Error}");
    }

    [Fact]
    public void The_stack_report_says_what_each_tasklet_waits_for_and_shows_futures_in_variables()
    {
        var d = new TurnDriver("def side(f):\n    return await f\ndef main(input):\n    a = activity('charge', 5)\n    t = spawn(side, child('billing'))\n    both = gather(a, sleep(60))\n    r = await first(both, signal('stop'))\n    return [r, a, t]\n");
        var pickle = d.Turn().Pickle!;
        var report = Workflow.Pickling.StackReport.Json(pickle);
        var tasklets = (Newtonsoft.Json.Linq.JArray)report["tasklets"]!;
        Assert.Equal("first of 2", (string?)tasklets[0]["waitingFor"]);
        Assert.Equal("child 'billing'", (string?)tasklets[1]["waitingFor"]);
        var locals = tasklets[0]["frames"]!.Last!["locals"]!;
        Assert.Equal("<future activity 'charge' pending>", (string?)locals["a"]);
        Assert.DoesNotContain("both", ((Newtonsoft.Json.Linq.JObject)locals).Properties().Select(p => p.Name));
    }

    [Fact]
    public void A_signal_that_lost_a_first_does_not_swallow_the_next_signal_of_that_name()
    {
        // The approval-with-timeout pattern: the timer wins, then the workflow asks for the signal again.
        var d = new TurnDriver("def main(input):\n    i, v = await first(signal('go'), sleep(1))\n    late = await signal('go')\n    return [i, late]\n");
        var timer = d.Turn().Timers[0];
        d.Send(InboxKind.TimerFired, timer.Sequence);
        Assert.Equal(InstanceStatus.Waiting, d.Turn().Status);
        d.Send(InboxKind.Signal, name: "go", payload: "\"yes\"");
        var end = d.Turn();
        Assert.True(end.ResultJson == "[1, \"yes\"]", $"{end.Status} {end.Error}");
    }

    [Fact]
    public void A_signal_future_made_early_and_awaited_later_takes_the_signal_that_queued_meanwhile()
    {
        var d = new TurnDriver("def main(input):\n    s = signal('go')\n    await sleep(1)\n    return await s\n");
        var timer = d.Turn().Timers[0];
        d.Send(InboxKind.Signal, name: "go", payload: "7");
        d.Turn();
        d.Send(InboxKind.TimerFired, timer.Sequence);
        Assert.Equal("7", d.Turn().ResultJson);
    }

    [Fact]
    public void After_a_first_has_settled_a_wait_nobody_can_end_is_a_deadlock_not_a_wait()
    {
        var d = new TurnDriver("def main(input):\n    await first(sleep(1), signal('x'))\n    channel().receive()\n");
        var timer = d.Turn().Timers[0];
        d.Send(InboxKind.TimerFired, timer.Sequence);
        var end = d.Turn();
        Assert.Equal(InstanceStatus.Failed, end.Status);
        Assert.Contains("DeadlockError", end.Error);
    }

    [Theory]
    [InlineData("sleep(days(10**9))")]
    [InlineData("sleep_until(-1e12)")]
    public void A_timer_out_of_range_is_an_OverflowError_at_the_call(string call)
    {
        var d = new TurnDriver($"def main(input):\n    try:\n        {call}\n    except OverflowError as e:\n        return str(e)\n");
        var end = d.Turn();
        Assert.True(end.Status == InstanceStatus.Completed, end.Error);
        Assert.Contains("out of range", end.ResultJson);
    }

    [Fact]
    public void A_value_that_would_write_a_billion_values_is_refused_at_the_call_without_walking_it()
    {
        // Ten levels of one list repeated eight times: 8**10 paths through a few dozen objects.
        var d = new TurnDriver("def main(input):\n    x = [1]\n    for i in range(10):\n        x = [x] * 8\n    try:\n        activity('echo', x)\n    except TypeError as e:\n        return str(e)\n");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var end = d.Turn();
        Assert.True(end.Status == InstanceStatus.Completed, end.Error);
        Assert.Contains("too large", end.ResultJson);
        Assert.Empty(end.Activities);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "walked the whole value");
    }

    [Fact]
    public void A_turn_that_runs_past_its_time_limit_fails_its_instance_with_a_clear_error_and_keeps_its_pickle()
    {
        // The worker's limit is half its lease: past it, another worker would take the instance over mid-turn.
        var d = new TurnDriver("def main(input):\n    await sleep(1)\n    n = 0\n    while True:\n        n += 1\n") { TimeLimit = TimeSpan.FromMilliseconds(300) };
        var first = d.Turn();
        d.Send(InboxKind.TimerFired, first.Timers[0].Sequence);
        var end = d.Turn();
        Assert.Equal(InstanceStatus.Failed, end.Status);
        Assert.Contains("one turn ran longer than 0.3 s", end.Error);
        Assert.Same(first.Pickle, end.Pickle);
    }
}
