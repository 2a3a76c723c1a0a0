using System.Collections.Concurrent;

namespace Workflow.Persistence.Tests;

public sealed class SqliteWriteGateTests
{
    [Fact]
    public async Task Callers_go_through_in_the_order_they_came_whether_they_block_or_await()
    {
        var gate = new SqliteWriteGate();
        gate.Enter(CallMode.Sync).SyncResult();
        var order = new ConcurrentQueue<string>();

        async Task Request(string name)
        {
            await gate.Enter(CallMode.Async(CancellationToken.None));
            order.Enqueue(name);
            gate.Exit();
        }

        var first = Request("request 1");
        Assert.Equal(2, gate.Waiting);
        // A worker's loop, blocking its own thread: it must not go before the request that came first.
        var worker = new Thread(() =>
        {
            gate.Enter(CallMode.Sync).SyncResult();
            order.Enqueue("worker");
            gate.Exit();
        });
        worker.Start();
        Assert.True(SpinWait.SpinUntil(() => gate.Waiting == 3, TimeSpan.FromMinutes(1)), "the worker did not queue");
        var second = Request("request 2");
        Assert.Equal(4, gate.Waiting);

        gate.Exit();
        await Task.WhenAll(first, second);
        Assert.True(worker.Join(TimeSpan.FromMinutes(1)), "the worker did not get through");
        Assert.Equal(["request 1", "worker", "request 2"], order);
        Assert.Equal(0, gate.Waiting);
    }
}
