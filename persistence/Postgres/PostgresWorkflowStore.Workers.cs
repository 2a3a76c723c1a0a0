using System.Security.Cryptography;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>
/// Workers' liveness on PostgreSQL: each worker holds a session-level advisory lock, keyed by its
/// id, on a connection of its own for its whole life. The server drops the lock the moment that
/// connection ends (the process died, or its machine's TCP keepalive gave up on it), so another
/// worker that can take the lock knows the worker is gone, on any machine.
/// </summary>
internal sealed partial class PostgresWorkflowStore
{
    public IWorkerRegistration RegisterWorker(string workerId, DateTime now)
    {
        // The lock first, then the row: whoever sees the row and can take the lock knows the worker is gone.
        var held = OpenLockConnection(workerId);
        try
        {
            WriteWorker(workerId, now);
        }
        catch
        {
            held.Dispose();
            throw;
        }
        return new Registration(this, workerId, held);
    }

    /// <summary>A connection outside the pool holding [workerId]'s advisory lock (the pool would hand a held lock to other calls).</summary>
    private NpgsqlConnection OpenLockConnection(string workerId)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connectionString)
        {
            Pooling = false,
            ApplicationName = "workflow worker " + workerId,
        }.ToString());
        try
        {
            connection.Open();
            using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection).With("@key", LockKey(workerId));
            if (command.ExecuteScalar() is not true)
                throw new InvalidOperationException($"worker {workerId} is registered already: another process holds its lock");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void WriteWorker(string workerId, DateTime now) => Write(s =>
        s.Command("""
            INSERT INTO workers ("Id", "Host", "ProcessId", "StartedAt", "HeartbeatAt") VALUES (@id, @host, @pid, @now, @now)
            ON CONFLICT ("Id") DO UPDATE SET "HeartbeatAt" = excluded."HeartbeatAt"
            """)
            .With("@id", workerId).With("@host", Environment.MachineName).With("@pid", Environment.ProcessId).With("@now", UnixTime.Ms(now))
            .ExecuteNonQuery());

    public IReadOnlyList<string> ReleaseDeadWorkers(string self, DateTime silentSince) => Write(s =>
    {
        var workers = new List<(string Id, long HeartbeatAt)>();
        // No row locks: a look four times a second per worker must not hold up the others' heartbeats.
        // Two workers releasing the same dead one at once release it twice, which changes nothing.
        using (var reader = s.Command("SELECT \"Id\", \"HeartbeatAt\" FROM workers WHERE \"Id\" <> @self").With("@self", self).ExecuteReader())
        {
            while (reader.Read()) workers.Add((reader.GetString(0), reader.GetInt64(1)));
        }
        if (workers.Count == 0) return (IReadOnlyList<string>)[];
        var silent = UnixTime.Ms(silentSince);
        var dead = workers.Where(w => w.HeartbeatAt < silent).Select(w => w.Id).ToHashSet();
        // A lock this transaction can take is no one's: its worker is gone. (Taken for the transaction only.)
        using (var reader = s.Command("SELECT id FROM unnest(@ids, @keys) AS w(id, key) WHERE pg_try_advisory_xact_lock(key)")
            .WithArray("@ids", NpgsqlDbType.Text, workers.Select(w => w.Id).ToArray())
            .WithArray("@keys", NpgsqlDbType.Bigint, workers.Select(w => LockKey(w.Id)).ToArray())
            .ExecuteReader())
        {
            while (reader.Read()) dead.Add(reader.GetString(0));
        }
        if (dead.Count > 0) Release(s, dead.ToArray());
        return dead.ToList();
    });

    /// <summary>Makes the instances and activity tasks [workers] claimed claimable at once, and deletes their rows.</summary>
    private static void Release(PostgresSession s, string[] workers)
    {
        s.Queue("UPDATE instances SET \"LeaseOwner\" = NULL, \"LeaseExpiresAt\" = NULL WHERE \"LeaseOwner\" = ANY(@workers)").WithArray("@workers", NpgsqlDbType.Text, workers);
        s.Queue("UPDATE activity_tasks SET \"LeaseOwner\" = NULL, \"LeaseExpiresAt\" = NULL WHERE \"LeaseOwner\" = ANY(@workers)").WithArray("@workers", NpgsqlDbType.Text, workers);
        s.Queue("DELETE FROM workers WHERE \"Id\" = ANY(@workers)").WithArray("@workers", NpgsqlDbType.Text, workers);
    }

    protected override async ValueTask ProbeWrite(DateTime now, CallMode mode) => await Write(mode, s =>
        s.Command("INSERT INTO health_probe (\"Id\", \"ProbedAt\") VALUES (1, @now) ON CONFLICT (\"Id\") DO UPDATE SET \"ProbedAt\" = excluded.\"ProbedAt\"")
            .With("@now", UnixTime.Ms(now)).ExecuteNonQueryAsync(mode));

    /// <summary>The advisory lock key of [workerId]: 64 bits of a hash of it, so that two ids collide with no real chance.</summary>
    private static long LockKey(string workerId) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("workflow-worker:" + workerId)), 0);

    /// <summary>A worker's row and lock connection; the lock goes with the connection, or with Dispose.</summary>
    private sealed class Registration(PostgresWorkflowStore store, string workerId, NpgsqlConnection held) : IWorkerRegistration
    {
        private NpgsqlConnection _held = held;
        private bool _disposed;

        public string WorkerId => workerId;

        /// <summary>Stamps the row on the lock connection itself, so a heartbeat also proves the lock is still held.</summary>
        public bool Heartbeat(DateTime now)
        {
            if (_held.FullState == System.Data.ConnectionState.Open)
            {
                try
                {
                    using var command = new NpgsqlCommand("UPDATE workers SET \"HeartbeatAt\" = @now WHERE \"Id\" = @id", _held)
                        .With("@id", workerId).With("@now", UnixTime.Ms(now));
                    if (command.ExecuteNonQuery() == 1) return true;
                }
                catch (NpgsqlException) when (_held.FullState != System.Data.ConnectionState.Open)
                {
                    // The connection broke, and the lock with it: others may take this worker for dead. Taken again below.
                }
            }
            if (_held.FullState != System.Data.ConnectionState.Open)
            {
                // Also after a reconnect that failed at an earlier beat: this beat tries again.
                _held.Dispose();
                _held = store.OpenLockConnection(workerId);
            }
            store.WriteWorker(workerId, now);
            return false;
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            try
            {
                store.Write(s =>
                {
                    Release(s, [workerId]);
                    return 0;
                });
            }
            finally
            {
                _held.Dispose();
            }
        }
    }
}
