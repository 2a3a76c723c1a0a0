using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Workflow.Durable;

namespace Workflow.Persistence.Tests;

/// <summary>What only a SQLite file does: one writer at a time, other connections waiting for the lock.</summary>
public sealed class SqliteConcurrencyTests() : StoreTest(StoreKind.Sqlite)
{
    private string DatabasePath => ((SqliteTestDatabase)Database).Path;

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
}
