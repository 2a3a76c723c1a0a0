using Workflow.Durable;
using Workflow.Tests.Shared;

namespace Workflow.Persistence.Tests;

/// <summary>
/// What the Async methods are for: a call waiting for the SQLite write gate (held here as a worker's
/// group commit holds it) holds no thread, and a call given up while it waits writes nothing.
/// </summary>
[Collection(ThreadPoolTests.Name)]
public sealed class SqliteAsyncCallTests() : StoreTest(StoreKind.Sqlite)
{
    private SqliteWriteGate Gate => ((WorkflowStore)Store).WriteGate;

    [Fact]
    public async Task Two_hundred_async_writes_waiting_for_the_write_gate_hold_no_threads_and_all_land_once_it_opens()
    {
        var ids = Enumerable.Range(0, 200).Select(i => Start($"i{i}").Id).ToList();
        var watch = new ThreadPoolWatch();
        Gate.Enter(CallMode.Sync).SyncResult();
        List<Task<DeliveryResult>> signals;
        try
        {
            // Each from a thread-pool thread, as requests come: a call that blocked would keep its thread.
            signals = ids.Select(id => Task.Run(() => Store.SignalAsync(id, "go", "1", CancellationToken.None))).ToList();
            watch.Until(() => Gate.Waiting == 1 + ids.Count, "all 200 signals queueing at the gate");
            watch.Until(() => ThreadPool.PendingWorkItemCount == 0, "the thread pool's queue draining");
            Assert.True(watch.Grown < ids.Count / 4, $"the thread pool grew by {watch.Grown} threads for {ids.Count} waiting calls");
            Assert.DoesNotContain(signals, s => s.IsCompleted);
            // Reads do not queue at the gate at all.
            Assert.Equal(ids.Count, (await Store.ListInstancesAsync(new InstanceQuery(Limit: 1000), CancellationToken.None)).Instances.Count);
        }
        finally
        {
            Gate.Exit();
        }

        Assert.All(await Task.WhenAll(signals).WaitAsync(TimeSpan.FromMinutes(2)), result => Assert.Equal(DeliveryResult.Accepted, result));
        var claimed = Claim(max: 1000);
        Assert.Equal(ids.Order(), claimed.Select(c => c.Instance.Id).Order());
        Assert.All(claimed, c => Assert.Equal((InboxKind.Signal, "go", "1"), (c.Inbox.Single().Kind, c.Inbox.Single().Name, c.Inbox.Single().Payload)));
        Assert.Equal(0, Gate.Waiting);
    }

    [Fact]
    public async Task An_async_write_given_up_while_it_waits_for_the_gate_writes_nothing()
    {
        Start("i1");
        Gate.Enter(CallMode.Sync).SyncResult();
        using var cancel = new CancellationTokenSource();
        var signal = Task.Run(() => Store.SignalAsync("i1", "go", "1", cancel.Token));
        new ThreadPoolWatch().Until(() => Gate.Waiting == 2, "the signal queueing at the gate");
        Assert.False(signal.IsCompleted);

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => signal);
        Assert.Equal(1, Gate.Waiting);
        Gate.Exit();

        Assert.Empty(ClaimOne("i1").Inbox);
        // The line goes on without it.
        Assert.Equal(DeliveryResult.Accepted, await Store.SignalAsync("i1", "go", "2", CancellationToken.None));
        Assert.Equal(0, Gate.Waiting);
    }
}
