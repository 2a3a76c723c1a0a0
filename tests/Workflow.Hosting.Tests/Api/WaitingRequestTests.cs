using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Durable;
using Workflow.Persistence;
using Workflow.Tests.Shared;

namespace Workflow.Hosting.Tests.Api;

/// <summary>
/// Requests that must wait for the database await it: while another connection holds the SQLite
/// write lock (as another process's worker or Quartz may), one request waits in SQLite's busy
/// handler and the rest queue at the store's write gate, holding no thread-pool threads.
/// </summary>
[Collection(ThreadPoolTests.Name)]
public sealed class WaitingRequestTests
{
    [Fact]
    public async Task Two_hundred_requests_waiting_for_the_write_lock_hold_no_threads_and_all_succeed_once_it_is_released()
    {
        await using var host = await ApiHost.StartAsync(o =>
        {
            o.RunWorker = false; // only the requests write
            o.ConfigureSqliteStore = store => store.BusyTimeout = TimeSpan.FromMinutes(10);
        });
        await host.Deploy("waiter", "def main(input):\n    await signal(\"go\")\n");
        var runtime = host.App.Services.GetRequiredService<WorkflowRuntime>();
        var ids = Enumerable.Range(0, 200).Select(i => runtime.Client.Start("waiter", null, $"w{i}").Instance.Id).ToList();
        var gate = ((WorkflowStore)runtime.Store).WriteGate;
        // The host's client gives up after 30 s; these requests wait as long as the test holds the lock.
        using var http = new HttpClient { BaseAddress = new Uri(host.BaseAddress), Timeout = Timeout.InfiniteTimeSpan };

        List<Task<HttpResponseMessage>> signals;
        var watch = new ThreadPoolWatch();
        using (var holder = new SqliteConnection($"Data Source={host.DatabasePath};Pooling=False"))
        {
            holder.Open();
            using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE";
                begin.ExecuteNonQuery();
            }
            signals = ids.Select(id => http.PostAsync($"/api/instances/{id}/signals/go", new StringContent("1", Encoding.UTF8, "application/json"))).ToList();
            watch.Until(() => gate.Waiting == ids.Count, "all 200 requests reaching the store's write gate");
            watch.Until(() => ThreadPool.PendingWorkItemCount == 0, "the thread pool's queue draining");
            Assert.True(watch.Grown < ids.Count / 4, $"the thread pool grew by {watch.Grown} threads for {ids.Count} waiting requests");
            Assert.DoesNotContain(signals, s => s.IsCompleted);
            // Reads go on meanwhile.
            await ApiHost.Json(await http.GetAsync($"/api/instances/{ids[0]}"), HttpStatusCode.OK);
        } // closing the connection rolls its transaction back and frees the lock

        foreach (var response in await Task.WhenAll(signals).WaitAsync(TimeSpan.FromMinutes(2)))
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var claimed = runtime.Store.ClaimInstances("reader", 1000, DateTime.UtcNow, DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(ids.Order(), claimed.Select(c => c.Instance.Id).Order());
        Assert.All(claimed, c => Assert.Equal((InboxKind.Signal, "go"), (c.Inbox.Single().Kind, c.Inbox.Single().Name)));
    }
}
