using System.Collections.Concurrent;
using Workflow.Durable;

namespace Workflow.Persistence.Tests;

/// <summary>
/// Threads and processes (here: several stores on one database, each with its own connections)
/// working at once. On SQLite they take turns at the file's write lock; on PostgreSQL they really
/// run side by side, which is what the claims' SKIP LOCKED and the commits' row locks are for.
/// </summary>
public abstract class ConcurrencyTests(StoreKind kind) : StoreTest(kind)
{
    [Fact]
    public async Task Threads_sharing_a_store_deliver_every_entry_exactly_once()
    {
        for (var i = 0; i < 10; i++) Start($"i{i}");
        const int signalsPerInstance = 50;
        var senders = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var n = 0; n < signalsPerInstance; n++)
                for (var i = t; i < 10; i += 4)
                    Assert.Equal(DeliveryResult.Accepted, Store.Signal($"i{i}", "s", n.ToString()));
        })).ToArray();
        var received = new Dictionary<string, List<int>>();
        var worker = Task.Run(() =>
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (received.Values.Sum(v => v.Count) < 10 * signalsPerInstance && DateTime.UtcNow < deadline)
            {
                var claims = Store.ClaimInstances("w", 5, DateTime.UtcNow, DateTime.UtcNow.AddMinutes(1));
                foreach (var c in claims)
                {
                    if (!received.TryGetValue(c.Instance.Id, out var list)) received[c.Instance.Id] = list = [];
                    list.AddRange(c.Inbox.Select(e => int.Parse(e.Payload!)));
                }
                Assert.All(Store.CommitTurns(claims.Select(c => Turn(c)).ToList()), r => Assert.NotNull(r));
            }
        });
        await Task.WhenAll(senders);
        await worker;
        Assert.Equal(10, received.Count);
        Assert.All(received.Values, list => Assert.Equal(Enumerable.Range(0, signalsPerInstance), list));
        Assert.Equal(0, Store.Summary().ReadyInstances);
    }

    /// <summary>
    /// Three worker processes claim and commit while four senders signal: no instance is ever held by
    /// two workers, every commit applies (no lease expires), every signal arrives once and in order,
    /// and no instance is left ready with its entries unread (a lost ready flag would leave some behind).
    /// </summary>
    [Fact]
    public async Task Workers_in_several_processes_never_hold_the_same_instance_and_lose_no_entry()
    {
        const int instances = 12, signalsPerInstance = 40;
        for (var i = 0; i < instances; i++) Start($"i{i}");
        var stores = Enumerable.Range(0, 3).Select(_ => Database.Open(Clock)).ToList();
        try
        {
            var held = new ConcurrentDictionary<string, string>();
            var received = new ConcurrentDictionary<string, ConcurrentQueue<int>>();
            var total = 0;
            var senders = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
            {
                for (var n = 0; n < signalsPerInstance; n++)
                    for (var i = t; i < instances; i += 4)
                        Assert.Equal(DeliveryResult.Accepted, stores[n % stores.Count].Signal($"i{i}", "s", n.ToString()));
            })).ToArray();
            var workers = stores.Select((store, w) => Task.Run(() =>
            {
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (Volatile.Read(ref total) < instances * signalsPerInstance && DateTime.UtcNow < deadline)
                {
                    var claims = store.ClaimInstances($"w{w}", 3, DateTime.UtcNow, DateTime.UtcNow.AddMinutes(1));
                    foreach (var c in claims)
                    {
                        Assert.True(held.TryAdd(c.Instance.Id, $"w{w}"), $"w{w} claimed {c.Instance.Id}, which {held.GetValueOrDefault(c.Instance.Id)} holds");
                        var queue = received.GetOrAdd(c.Instance.Id, _ => new ConcurrentQueue<int>());
                        foreach (var e in c.Inbox) queue.Enqueue(int.Parse(e.Payload!));
                        Interlocked.Add(ref total, c.Inbox.Count);
                    }
                    // Released before the commit: until it commits, the lease keeps others out anyway.
                    foreach (var c in claims) held.TryRemove(c.Instance.Id, out _);
                    Assert.All(store.CommitTurns(claims.Select(c => Turn(c)).ToList()), r => Assert.NotNull(r));
                    if (claims.Count == 0) Thread.Sleep(1);
                }
            })).ToArray();
            await Task.WhenAll(senders);
            await Task.WhenAll(workers);

            Assert.Equal(instances, received.Count);
            Assert.All(received.Values, queue => Assert.Equal(Enumerable.Range(0, signalsPerInstance), queue));
            Assert.Equal(0, Store.Summary().ReadyInstances);
        }
        finally
        {
            foreach (var store in stores) store.Dispose();
        }
    }

    [Fact]
    public async Task Timers_fired_by_two_processes_at_once_fire_once()
    {
        const int count = 60;
        CommitOne(Turn(ClaimOne(Start("i1").Id), timers: Enumerable.Range(1, count).Select(n => new TimerRequest(n, Now.AddSeconds(n))).ToArray()));
        var due = Store.DueTimers(Now.AddHours(1), count);
        Assert.Equal(count, due.Count);
        using var first = Database.Open(Clock);
        using var second = Database.Open(Clock);
        // Each fires the rows in its own order, so that they meet in the middle.
        var firing = new[] { Task.Run(() => first.FireTimers(due)), Task.Run(() => second.FireTimers(due.Reverse().ToList())) };
        var fired = await Task.WhenAll(firing);

        Assert.Equal(count, fired.Sum());
        Assert.Empty(Store.ListTimers());
        Assert.Equal(Enumerable.Range(1, count), ClaimOne("i1").Inbox.Select(e => e.Sequence).Order());
    }

    [Fact]
    public async Task Activity_tasks_go_to_one_process_each_and_their_outcomes_arrive_once()
    {
        const int count = 80;
        CommitOne(Turn(ClaimOne(Start("i1").Id),
            activities: Enumerable.Range(1, count).Select(n => new ActivityRequest(n, "echo", $"[{n}]", null, null)).ToArray()));
        var stores = Enumerable.Range(0, 4).Select(_ => Database.Open(Clock)).ToList();
        try
        {
            var claims = await Task.WhenAll(stores.Select((store, w) => Task.Run(() =>
            {
                var mine = new List<ActivityTask>();
                while (true)
                {
                    var batch = store.ClaimActivities($"a{w}", 3, Now, Now.AddMinutes(1));
                    if (batch.Count == 0) return mine;
                    mine.AddRange(batch);
                }
            })));
            var tasks = claims.SelectMany(c => c).ToList();
            Assert.Equal(Enumerable.Range(1, count), tasks.Select(t => t.Sequence).Order());

            // Every process reports every outcome (as after lost leases): each is delivered once.
            var outcomes = tasks.Select(t => new ActivityOutcome(t.Id, t.InstanceId, t.Sequence, $"{t.Sequence}", null)).ToList();
            await Task.WhenAll(stores.Select(store => Task.Run(() => store.CompleteActivities(outcomes))));
            Assert.Equal(Enumerable.Range(1, count), ClaimOne("i1").Inbox.Select(e => e.Sequence).Order());
            Assert.Equal(0, Store.Summary().ActivityTasks);
        }
        finally
        {
            foreach (var store in stores) store.Dispose();
        }
    }
}

public sealed class ConcurrencyTestsOnSqlite() : ConcurrencyTests(StoreKind.Sqlite);

public sealed class ConcurrencyTestsOnPostgres() : ConcurrencyTests(StoreKind.Postgres);
