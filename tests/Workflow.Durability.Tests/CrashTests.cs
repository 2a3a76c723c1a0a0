using Newtonsoft.Json.Linq;
using Workflow.Durable;
using Xunit.Abstractions;

namespace Workflow.Durability.Tests;

/// <summary>
/// DESIGN.md's durability rules under real crashes: a worker process is killed with SIGKILL at
/// random moments, over and over, while 100 instances work through sequential and parallel
/// activities, retries, timers, signals and channels.
/// </summary>
public class CrashTests(ITestOutputHelper log)
{
    private const string Program = """
        def produce(ch, k):
            for i in range(4):
                ch.send(k + i)
            ch.close()

        def main(input):
            k = input['k']
            total = 0
            for i in range(3):
                total += await activity('echo', k + i)
            parts = await gather(activity('echo', k * 2), activity('flaky', k * 3, retries=100), activity('echo', 7))
            total += sum(parts)
            await sleep(0.2 + (k % 5) * 0.3)
            # Every kill during an attempt costs one attempt (as a worker's crash costs one in Temporal): a generous budget.
            await activity('ledger_add', 'acct-' + str(k), k, retries=100)
            total += await signal('bonus')
            ch = channel(2)
            spawn(produce, ch, k)
            for v in ch:
                total += v
            return {'k': k, 'total': total}
        """;

    /// <summary>What main computes for k: 3k+3 from the loop, 5k+7 from the gather, the bonus 10k, 4k+6 from the channel.</summary>
    private static long Expected(int k) => 22L * k + 16;

    [Fact]
    public void Instances_end_right_after_fifty_SIGKILLs_with_no_turn_committed_twice_and_each_effect_applied_once()
    {
        const int instances = 100, kills = 50;
        using var db = new TestDatabase();
        db.Deploy("crash", Program);
        for (int k = 1; k <= instances; k++) db.Client.Start("crash", $"{{\"k\": {k}}}", $"c{k}");

        var random = new Random(12345);
        var unsignalled = Enumerable.Range(1, instances).OrderBy(_ => random.Next()).ToList();
        int killed = 0;
        var started = DateTime.UtcNow;
        while (killed < kills)
        {
            using var worker = WorkerProcess.Start(db, leaseSeconds: 1.5);
            // Signals arrive while workers come and go: some before their instance waits for them.
            foreach (var k in unsignalled.Take(4).ToArray())
            {
                Assert.Equal(DeliveryResult.Accepted, db.Client.Signal($"c{k}", "bonus", (10 * k).ToString()));
                unsignalled.Remove(k);
            }
            // A random moment: during start-up, mid-claim, mid-commit, mid-activity... every fifth run lives a little longer.
            Thread.Sleep(killed % 5 == 4 ? 2500 : random.Next(100, 1500));
            Assert.False(worker.HasExited, "the worker died on its own:\n" + worker.Stderr);
            worker.Kill();
            killed++;
        }
        foreach (var k in unsignalled) db.Client.Signal($"c{k}", "bonus", (10 * k).ToString());
        log.WriteLine($"{killed} kills in {(DateTime.UtcNow - started).TotalSeconds:0} s");

        using (var last = WorkerProcess.Start(db, leaseSeconds: 1.5, exitWhenIdle: true))
        {
            Assert.True(last.WaitForExit(TimeSpan.FromMinutes(3)), $"the last worker did not finish: {db.Store.Summary()} in {db.Directory}\n" + last.Stderr);
        }

        for (int k = 1; k <= instances; k++)
        {
            var instance = db.Instance($"c{k}");
            Assert.True(instance.Status == InstanceStatus.Completed, $"c{k} is {instance.Status}: {instance.Error}");
            Assert.Equal(new JObject { ["k"] = k, ["total"] = Expected(k) }.ToString(), JObject.Parse(instance.ResultJson!).ToString());
        }

        // Each ledger_add took effect exactly once, under its idempotency key (instance id + sequence).
        var entries = db.Ledger("SELECT key, account, amount FROM entries ORDER BY account");
        Assert.Equal(instances, entries.Count);
        Assert.Equal(Enumerable.Range(1, instances).Select(k => ($"acct-{k}", (long)k)).OrderBy(e => e.Item1),
            entries.Select(e => ((string)e[1], (long)e[2])).OrderBy(e => e.Item1));
        Assert.All(entries, e => Assert.StartsWith($"c{((string)e[1])[5..]}/", (string)e[0]));
        var runs = (long)db.Ledger("SELECT COUNT(*) FROM runs")[0][0];
        log.WriteLine($"ledger_add ran {runs} times for {instances} effects");

        // flaky's retry budget survived the kills: it failed twice and succeeded on its third attempt (or later, when a kill fell between).
        Assert.All(db.Ledger("SELECT count FROM attempts"), row => Assert.True((long)row[0] >= 3));

        // No turn committed twice: each (instance, claimed revision) appears once in the journal of committed turns.
        var turns = TestDatabase.AssertNoTurnCommittedTwice([db.JournalPath]);
        log.WriteLine($"{turns} committed turns journalled; {db.Store.Summary()}");
    }
}
