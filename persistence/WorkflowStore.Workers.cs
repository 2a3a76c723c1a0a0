using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>Workers' liveness: registrations, heartbeats, and the release of dead workers' claims.</summary>
internal sealed partial class WorkflowStore
{
    public IWorkerRegistration RegisterWorker(string workerId, DateTime now)
    {
        var folder = WorkerLockFiles.Folder(_path);
        // The lock first, then the row: whoever sees the row and finds the lock free knows the worker is gone.
        var held = WorkerLockFiles.Take(folder, workerId);
        try
        {
            WriteWorker(workerId, now);
        }
        catch
        {
            held.Dispose();
            WorkerLockFiles.Remove(folder, workerId);
            throw;
        }
        return new Registration(this, workerId, held);
    }

    private void WriteWorker(string workerId, DateTime now) => Transaction(writes: true, s =>
        s.Command("""
            INSERT INTO workers (Id, Host, ProcessId, StartedAt, HeartbeatAt) VALUES (@id, @host, @pid, @now, @now)
            ON CONFLICT (Id) DO UPDATE SET HeartbeatAt = excluded.HeartbeatAt
            """)
            .With("@id", workerId).With("@host", Environment.MachineName).With("@pid", Environment.ProcessId).With("@now", UnixTime.Ms(now))
            .ExecuteNonQuery());

    public IReadOnlyList<string> ReleaseDeadWorkers(string self, DateTime silentSince)
    {
        var workers = Transaction(writes: false, s =>
        {
            var rows = new List<(string Id, long HeartbeatAt)>();
            using var reader = s.Command("SELECT Id, HeartbeatAt FROM workers WHERE Id <> @self").With("@self", self).ExecuteReader();
            while (reader.Read()) rows.Add((reader.GetString(0), reader.GetInt64(1)));
            return rows;
        });
        var folder = WorkerLockFiles.Folder(_path);
        var silent = UnixTime.Ms(silentSince);
        var dead = workers.Where(w => w.HeartbeatAt < silent || WorkerLockFiles.IsHeld(folder, w.Id) == false).Select(w => w.Id).ToList();
        if (dead.Count > 0) Transaction(writes: true, s => Release(s, dead, forget: true));
        return dead;
    }

    /// <summary>Makes the instances and activity tasks [workers] claimed claimable at once; with [forget], deletes their rows.</summary>
    private static int Release(SqliteSession s, IReadOnlyList<string> workers, bool forget)
    {
        foreach (var worker in workers)
        {
            s.Command("UPDATE instances SET LeaseOwner = NULL, LeaseExpiresAt = NULL WHERE LeaseOwner = @worker").With("@worker", worker).ExecuteNonQuery();
            s.Command("UPDATE activity_tasks SET LeaseOwner = NULL, LeaseExpiresAt = NULL WHERE LeaseOwner = @worker").With("@worker", worker).ExecuteNonQuery();
            if (forget) s.Command("DELETE FROM workers WHERE Id = @worker").With("@worker", worker).ExecuteNonQuery();
        }
        return workers.Count;
    }

    protected override async ValueTask ProbeWrite(DateTime now, CallMode mode) => await Transaction(writes: true, mode, s =>
        s.Command("INSERT INTO health_probe (Id, ProbedAt) VALUES (1, @now) ON CONFLICT (Id) DO UPDATE SET ProbedAt = excluded.ProbedAt")
            .With("@now", UnixTime.Ms(now)).ExecuteNonQueryAsync(mode));

    /// <summary>A worker's row and lock file; the lock goes with the process, or with Dispose.</summary>
    private sealed class Registration(WorkflowStore store, string workerId, FileStream held) : IWorkerRegistration
    {
        private FileStream _held = held;
        private bool _disposed;

        public string WorkerId => workerId;

        public bool Heartbeat(DateTime now)
        {
            var folder = WorkerLockFiles.Folder(store._path);
            if (!File.Exists(WorkerLockFiles.PathOf(folder, workerId)))
            {
                // Its file was deleted under it (the folder removed by hand): others take this worker for dead. Take it again.
                _held.Dispose();
                _held = WorkerLockFiles.Take(folder, workerId);
            }
            var stamped = store.Transaction(writes: true, s =>
                s.Command("UPDATE workers SET HeartbeatAt = @now WHERE Id = @id").With("@id", workerId).With("@now", UnixTime.Ms(now)).ExecuteNonQuery());
            if (stamped == 1) return true;
            store.WriteWorker(workerId, now);
            return false;
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            try
            {
                store.Transaction(writes: true, s => Release(s, [workerId], forget: true));
            }
            finally
            {
                _held.Dispose();
                WorkerLockFiles.Remove(WorkerLockFiles.Folder(store._path), workerId);
            }
        }
    }
}
