using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Workflow.Durable;

namespace Workflow.Persistence.Tests;

public sealed class ConcurrencyTests : StoreTest
{
    [Fact]
    public async Task A_write_waits_for_another_connection_holding_the_file()
    {
        var instance = Start("i1");
        using var other = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        other.Open();
        using var hold = other.BeginTransaction(deferred: false); // as Quartz's connection might
        var released = Task.Run(() => { Thread.Sleep(300); hold.Commit(); });

        var clock = Stopwatch.StartNew();
        Assert.Equal(DeliveryResult.Accepted, Store.Signal(instance.Id, "go", "1"));
        Assert.True(clock.ElapsedMilliseconds >= 250, $"the signal did not wait for the lock ({clock.ElapsedMilliseconds} ms)");
        await released;
    }

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
}
