using Npgsql;
using Workflow.Durable;
using Workflow.Migrations.Postgres;

namespace Workflow.Persistence.Tests;

/// <summary>
/// What only a PostgreSQL store has to get right: another transaction holding a row, here one of
/// the test's own connections holding it on purpose, the way another process would.
/// </summary>
public sealed class PostgresConcurrencyTests() : StoreTest(StoreKind.Postgres)
{
    private PostgresTestDatabase Postgres => (PostgresTestDatabase)Database;

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Returns once a backend of this test's database waits for a lock: the store's call has got as
    /// far as the row [connection]'s transaction holds. A fixed delay would race a slow machine.
    /// </summary>
    private static async Task UntilSomeoneWaitsForALock(NpgsqlConnection connection)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using (var command = new NpgsqlCommand("""
                SELECT COUNT(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE NOT l.granted AND a.datname = current_database()
                """, connection))
            {
                if ((long)command.ExecuteScalar()! > 0) return;
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("no call of the store came to wait for the held row");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task A_claim_passes_over_an_instance_another_transaction_holds_instead_of_waiting()
    {
        Start("a");
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        Start("b");
        using var connection = Postgres.Connect();
        using (var transaction = connection.BeginTransaction())
        {
            Execute(connection, "SELECT 1 FROM instances WHERE \"Id\" = 'a' FOR UPDATE");
            // TimeoutException: the claim waited for the row instead of skipping it.
            var claimed = await Task.Run(() => Claim()).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(["b"], claimed.Select(c => c.Instance.Id));
            transaction.Rollback();
        }
        Assert.Equal(["a"], Claim().Select(c => c.Instance.Id));
    }

    [Fact]
    public async Task An_activity_claim_passes_over_a_task_another_transaction_holds()
    {
        CommitOne(Turn(ClaimOne(Start("i1").Id),
            activities: [new ActivityRequest(1, "echo", "[]", null, null), new ActivityRequest(2, "echo", "[]", null, null)]));
        using var connection = Postgres.Connect();
        using (var transaction = connection.BeginTransaction())
        {
            Execute(connection, "SELECT 1 FROM activity_tasks WHERE \"Sequence\" = 1 FOR UPDATE");
            var claimed = await Task.Run(() => Store.ClaimActivities("a", 10, Now, Now.AddMinutes(1))).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal([2], claimed.Select(t => t.Sequence));
            transaction.Rollback();
        }
        Assert.Equal([1], Store.ClaimActivities("a", 10, Now, Now.AddMinutes(1)).Select(t => t.Sequence));
    }

    /// <summary>
    /// The READ COMMITTED trap: a commit that waits for the row while a delivery holds it must judge
    /// "entries newer than ConsumedThrough" after that delivery commits. Judged by the snapshot its
    /// statement started with, it would clear Ready and the signal would sit unread for ever.
    /// </summary>
    [Fact]
    public async Task A_delivery_holding_the_row_while_a_turn_commits_leaves_the_instance_ready()
    {
        var claimed = ClaimOne(Start("i1").Id);
        using var connection = Postgres.Connect();
        Task<long?> commit;
        using (var transaction = connection.BeginTransaction())
        {
            // A delivery in flight, written as Deliver writes it: the row first, then the entry.
            Execute(connection, "UPDATE instances SET \"Ready\" = TRUE WHERE \"Id\" = 'i1'");
            Execute(connection, "INSERT INTO inbox (\"InstanceId\", \"Kind\", \"Sequence\", \"Name\", \"Payload\", \"CreatedAt\") VALUES ('i1', 'signal', 0, 'late', '1', 0)");
            commit = Task.Run(() => CommitOne(Turn(claimed)));
            await UntilSomeoneWaitsForALock(connection);
            transaction.Commit();
        }
        Assert.Equal(claimed.Revision + 1, await commit.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, Store.Summary().ReadyInstances);
        Assert.Equal(["late"], ClaimOne("i1").Inbox.Select(e => e.Name));
    }

    [Fact]
    public async Task A_signal_waiting_for_a_final_commit_finds_the_instance_finished()
    {
        Start("i1");
        using var connection = Postgres.Connect();
        Task<DeliveryResult> signal;
        using (var transaction = connection.BeginTransaction())
        {
            // A turn completing the instance, holding its row until it commits.
            Execute(connection, "UPDATE instances SET \"Status\" = 'completed', \"Ready\" = FALSE WHERE \"Id\" = 'i1'");
            signal = Task.Run(() => Store.Signal("i1", "late", "1"));
            await UntilSomeoneWaitsForALock(connection);
            transaction.Commit();
        }
        Assert.Equal(DeliveryResult.AlreadyFinished, await signal.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, Store.Summary().ReadyInstances);
        Assert.Empty(Claim());
    }

    /// <summary>
    /// Lets a store with [conflictRetries] commit a and b while this test's own transaction holds b
    /// and then asks for a: a deadlock, which the server must break by aborting the commit. The
    /// server aborts whichever waiter looks for a deadlock first, each deadlock_timeout after it
    /// began to wait, and looks once: so the store's sessions look after 5 s (by then this test is
    /// waiting too, on the slowest CI machine; at the default 1 s a busy run once saw the store look
    /// too early, find no cycle, and the test's own session be aborted instead) and this test's
    /// session after a minute.
    /// </summary>
    private async Task<IReadOnlyList<long?>> CommitIntoADeadlock(int conflictRetries)
    {
        var storeConnection = new NpgsqlConnectionStringBuilder(Postgres.ConnectionString) { Options = "-c deadlock_timeout=5s" };
        using var store = PostgresWorkflowDatabase.Open(storeConnection.ConnectionString,
            new PostgresStoreOptions { Clock = Clock, ConflictRetries = conflictRetries });
        Start("a");
        Start("b");
        var claims = Claim();
        using var connection = Postgres.Connect();
        Execute(connection, "SET deadlock_timeout = '60s'");
        Task<IReadOnlyList<long?>> commit;
        using (var transaction = connection.BeginTransaction())
        {
            Execute(connection, "SELECT 1 FROM instances WHERE \"Id\" = 'b' FOR UPDATE");
            commit = Task.Run(() => store.CommitTurns(claims.Select(c => Turn(c)).ToList()));
            await UntilSomeoneWaitsForALock(connection); // the commit holds a and waits for b
            // Returns once the server has aborted the commit's transaction, which frees a.
            Execute(connection, "SELECT 1 FROM instances WHERE \"Id\" = 'a' FOR UPDATE");
            transaction.Commit();
        }
        return await commit.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_commit_aborted_for_a_deadlock_is_run_again()
    {
        Assert.All(await CommitIntoADeadlock(conflictRetries: 3), revision => Assert.NotNull(revision));
        Assert.All(new[] { "a", "b" }, id => Assert.Equal(InstanceStatus.Waiting, Store.GetInstance(id)!.Status));
    }

    [Fact]
    public async Task With_no_retries_left_the_deadlock_is_thrown()
    {
        var error = await Assert.ThrowsAsync<PostgresException>(() => CommitIntoADeadlock(conflictRetries: 0));
        Assert.Equal(PostgresErrorCodes.DeadlockDetected, error.SqlState);
        Assert.All(new[] { "a", "b" }, id => Assert.Equal(InstanceStatus.Running, Store.GetInstance(id)!.Status));
    }
}
