using Newtonsoft.Json.Linq;
using Npgsql;
using Workflow.Durable;
using Xunit.Abstractions;

namespace Workflow.Durability.Tests;

/// <summary>
/// Issue 6's cluster: three worker processes on one PostgreSQL database run 500 instances with
/// activities, timers, signals and child workflows, while one worker at a time is killed with
/// SIGKILL and started again. Every instance ends right, every timer fires once, no turn commits twice.
/// </summary>
public class ClusterCrashTests(ITestOutputHelper log)
{
    private const string Parent = """
        def main(input):
            k = input['k']
            total = await activity('echo', k)
            total += await child('cluster_child', k)
            await sleep(0.2 + (k % 7) * 0.2)
            await activity('ledger_add', 'acct-' + str(k), k, retries=100)
            total += await signal('bonus')
            return {'k': k, 'total': total}
        """;

    private const string Child = """
        def main(k):
            await sleep(0.1 + (k % 3) * 0.1)
            return await activity('echo', k * 2)
        """;

    [Fact]
    public void Five_hundred_instances_end_right_on_three_workers_killed_one_at_a_time()
    {
        const int instances = 500, workers = 3, kills = 15;
        using var db = new TestDatabase(postgres: true);
        db.Deploy("cluster_child", Child);
        db.Deploy("cluster", Parent);
        AuditTimerFirings(db);
        for (int k = 1; k <= instances; k++) db.Client.Start("cluster", $"{{\"k\": {k}}}", $"p{k}");

        var journals = Enumerable.Range(0, workers).Select(i => Path.Combine(db.Directory, $"journal-{i}.txt")).ToArray();
        var running = Enumerable.Range(0, workers).Select(i => WorkerProcess.Start(db, leaseSeconds: 1.5, journal: journals[i])).ToArray();
        var random = new Random(6);
        var unsignalled = Enumerable.Range(1, instances).OrderBy(_ => random.Next()).ToList();
        var started = DateTime.UtcNow;
        try
        {
            for (int kill = 0; kill < kills; kill++)
            {
                foreach (var k in unsignalled.Take(instances / kills).ToArray())
                {
                    Assert.Equal(DeliveryResult.Accepted, db.Client.Signal($"p{k}", "bonus", (10 * k).ToString()));
                    unsignalled.Remove(k);
                }
                Thread.Sleep(random.Next(300, 1500));
                var victim = random.Next(workers);
                Assert.False(running[victim].HasExited, "a worker died on its own:\n" + running[victim].Stderr);
                running[victim].Kill();
                running[victim].Dispose();
                running[victim] = WorkerProcess.Start(db, leaseSeconds: 1.5, journal: journals[victim]);
            }
            foreach (var k in unsignalled) db.Client.Signal($"p{k}", "bonus", (10 * k).ToString());
            log.WriteLine($"{kills} kills in {(DateTime.UtcNow - started).TotalSeconds:0} s");

            var finished = TestDatabase.WaitUntil(() => db.Store.ListInstances(new InstanceQuery(InstanceStatus.Completed, "cluster", 1000)).Instances.Count == instances
                || running.Any(w => w.HasExited), TimeSpan.FromMinutes(4));
            Assert.True(finished && running.All(w => !w.HasExited),
                $"not all finished: {db.Store.Summary()}\n" + string.Join("\n", running.Select(w => w.Stderr)));
        }
        finally
        {
            foreach (var worker in running) worker.Dispose();
        }
        log.WriteLine($"all done after {(DateTime.UtcNow - started).TotalSeconds:0} s");

        for (int k = 1; k <= instances; k++)
        {
            var instance = db.Instance($"p{k}");
            Assert.True(instance.Status == InstanceStatus.Completed, $"p{k} is {instance.Status}: {instance.Error}");
            Assert.Equal(new JObject { ["k"] = k, ["total"] = 13L * k }.ToString(), JObject.Parse(instance.ResultJson!).ToString());
        }

        // Every timer (one per parent, one per child) fired exactly once, whichever node's Quartz or sweep fired it.
        var firings = Query(db, "SELECT \"InstanceId\", \"Sequence\", COUNT(*) FROM timer_audit GROUP BY \"InstanceId\", \"Sequence\"");
        Assert.Equal(2 * instances, firings.Count);
        Assert.All(firings, f => Assert.True((long)f[2] == 1, $"timer {f[0]}/{f[1]} fired {f[2]} times"));

        // Each ledger_add took effect once; no turn was committed twice across the three workers' journals.
        Assert.Equal(instances, db.Ledger("SELECT key FROM entries").Count);
        var turns = TestDatabase.AssertNoTurnCommittedTwice(journals);
        log.WriteLine($"{turns} committed turns; ledger_add ran {db.Ledger("SELECT COUNT(*) FROM runs")[0][0]} times for {instances} effects");
    }

    /// <summary>
    /// Records every TimerFired delivery as it is inserted into the inbox (a trigger in the database
    /// itself, so no process can miss or fake one): entries are deleted once consumed, the audit stays.
    /// </summary>
    private static void AuditTimerFirings(TestDatabase db) => Execute(db, """
        CREATE TABLE timer_audit ("InstanceId" text NOT NULL, "Sequence" integer NOT NULL);
        CREATE FUNCTION audit_timer() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW."Kind" = 'timer_fired' THEN
                INSERT INTO timer_audit VALUES (NEW."InstanceId", NEW."Sequence");
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER audit_timer AFTER INSERT ON inbox FOR EACH ROW EXECUTE FUNCTION audit_timer();
        """);

    private static void Execute(TestDatabase db, string sql)
    {
        using var connection = new NpgsqlConnection(db.Postgres!.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static List<object[]> Query(TestDatabase db, string sql)
    {
        using var connection = new NpgsqlConnection(db.Postgres!.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        using var reader = command.ExecuteReader();
        var rows = new List<object[]>();
        while (reader.Read())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }
}
