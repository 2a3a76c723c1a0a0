using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>
/// The workflow database on a SQLite file (IWorkflowStore). EF Core owns the schema: opening the
/// store applies the migrations. The calls themselves run prepared SQL on pooled connections, with
/// no change tracking, because the worker's hot paths (claims, group commits, activity outcomes)
/// must cost microseconds per row. Every call is one transaction; a store is safe to share between
/// threads, and several processes may open the same file (WAL mode, with a busy timeout).
/// </summary>
/// <remarks>
/// Times are unix milliseconds; statuses and inbox kinds are lowercase names (StoredNames). The
/// SQL is SQLite's: a PostgreSQL store will be a sibling of this class, not an option of it.
/// </remarks>
internal sealed partial class WorkflowStore : SyncAndAsyncStore, IWorkflowStore, IDisposable
{
    private const string InstanceColumns =
        "Id, Workflow, ProgramHash, Status, InputJson, ResultJson, Error, Pickle, ParentId, Turns, CreatedAt, UpdatedAt, Revision, Paused";

    /// <summary>The database file (workers' lock files sit beside it).</summary>
    private readonly string _path;
    private readonly string _connectionString;
    private readonly string _pragmas;
    private readonly TimeProvider _clock;
    /// <summary>SqliteStoreOptions.WriteJournal: false only in the benchmark of the journal's cost.</summary>
    private bool _writeJournal = true;
    /// <summary>SqliteStoreOptions.JournalPickles: false only in the same benchmark.</summary>
    private bool _journalPickles = true;
    private readonly ConcurrentBag<SqliteSession> _idle = new();
    private volatile bool _disposed;

    /// <summary>Where this process's writers queue.</summary>
    internal SqliteWriteGate WriteGate { get; } = new();

    private WorkflowStore(string path, string connectionString, string pragmas, TimeProvider clock)
    {
        _path = path;
        _connectionString = connectionString;
        _pragmas = pragmas;
        _clock = clock;
    }

    /// <summary>
    /// Opens the SQLite file at [path] (creating it), switches it to WAL and applies the EF Core
    /// migrations found in the assembly named [migrationsAssembly]. Hosts do not call this: they call
    /// SqliteWorkflowDatabase.Open in Workflow.Migrations.Sqlite, which names its own assembly, so that
    /// a host cannot open a store whose migrations it does not ship.
    /// </summary>
    internal static WorkflowStore Open(string path, string migrationsAssembly, SqliteStoreOptions? options = null)
    {
        options ??= new SqliteStoreOptions();
        var connection = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Pooling = false, // the store pools its own sessions, with their prepared statements
            ForeignKeys = true,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
            // Only the first session may create the file. Should it be deleted under the running store,
            // later sessions fail (SQLITE_CANTOPEN) instead of starting an empty database at its path,
            // which would make the file look present again and take the writes meant for the lost one.
            Mode = SqliteOpenMode.ReadWrite,
        };
        var synchronous = options.Synchronous == SqliteSynchronous.Full ? "FULL" : "NORMAL";
        var pragmas = $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = {synchronous}; {options.ExtraPragmas}";
        var store = new WorkflowStore(path, connection.ToString(), pragmas, options.Clock) { _writeJournal = options.WriteJournal, _journalPickles = options.JournalPickles };
        connection.Mode = SqliteOpenMode.ReadWriteCreate;
        var session = SqliteSession.Open(connection.ToString(), pragmas, CallMode.Sync).SyncResult();
        try
        {
            session.Command("PRAGMA journal_mode = WAL;").ExecuteNonQuery();
            if (!MigrationIds.AllApplied(migrationsAssembly, AppliedMigrations(session)))
            {
                var contextOptions = new DbContextOptionsBuilder<WorkflowDbContext>()
                    .UseSqlite(session.Connection, sqlite => sqlite.MigrationsAssembly(migrationsAssembly))
                    .Options;
                using var db = new WorkflowDbContext(contextOptions);
                Migrate(db);
            }
        }
        catch
        {
            session.Dispose();
            throw;
        }
        store.Return(session);
        return store;
    }

    /// <summary>The ids in EF's history table; empty when there is none yet (a new file).</summary>
    private static HashSet<string> AppliedMigrations(SqliteSession session)
    {
        var applied = new HashSet<string>(StringComparer.Ordinal);
        if (session.Command("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsHistory'").ExecuteScalar() is not > 0L) return applied;
        using var reader = session.Command("SELECT MigrationId FROM __EFMigrationsHistory").ExecuteReader();
        while (reader.Read()) applied.Add(reader.GetString(0));
        return applied;
    }

    /// <summary>How old a leftover migration lock must be before Open takes it as abandoned.</summary>
    internal static readonly TimeSpan AbandonedMigrationLock = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Applies pending migrations. EF Core's Migrate takes its SQLite lock (a row in
    /// __EFMigrationsLock) before it looks for work, and a process killed while holding it leaves the
    /// row behind, so every later Migrate waits for ever (found by the SIGKILL tests: a worker killed
    /// during start-up). So: no lock at all when nothing is pending (the usual start), and a lock
    /// older than AbandonedMigrationLock is taken for a crashed migrator's and removed.
    /// </summary>
    private static void Migrate(WorkflowDbContext db)
    {
        if (!db.Database.GetPendingMigrations().Any()) return;
        var lockTable = db.Database.SqlQuery<long>($"SELECT COUNT(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsLock'").Single();
        if (lockTable > 0)
        {
            // EF writes the lock's time as DateTimeOffset.UtcNow does in SQLite: "yyyy-MM-dd HH:mm:ss.fffffff+00:00", which sorts as text.
            var cutoff = (DateTimeOffset.UtcNow - AbandonedMigrationLock).ToString("yyyy-MM-dd HH:mm:ss.fffffffzzz", System.Globalization.CultureInfo.InvariantCulture);
            db.Database.ExecuteSql($"DELETE FROM \"__EFMigrationsLock\" WHERE \"Timestamp\" < {cutoff}");
        }
        db.Database.Migrate();
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var session)) session.Dispose();
    }

    private long Now() => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    private ValueTask<SqliteSession> Rent(CallMode mode)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _idle.TryTake(out var session) ? ValueTask.FromResult(session) : SqliteSession.Open(_connectionString, _pragmas, mode);
    }

    private void Return(SqliteSession session)
    {
        if (_disposed) session.Dispose();
        else _idle.Add(session);
    }

    /// <summary>Runs the workers' [work] in one transaction, synchronously (see the other overload).</summary>
    private T Transaction<T>(bool writes, Func<SqliteSession, T> work) =>
        Transaction(writes, CallMode.Sync, s => ValueTask.FromResult(work(s))).SyncResult();

    /// <summary>
    /// Runs [work] in one transaction on a pooled session, writers one at a time (WriteGate), waiting
    /// as [mode] says; a session whose call threw is closed, not reused. Microsoft.Data.Sqlite's async
    /// methods complete synchronously (SQLite has no asynchronous I/O), and so does a wait for another
    /// process's write lock (the busy timeout): what an Async call awaits without a thread is the gate,
    /// behind which this process's other writers, the workers' commits among them, queue.
    /// </summary>
    private async ValueTask<T> Transaction<T>(bool writes, CallMode mode, Func<SqliteSession, ValueTask<T>> work)
    {
        if (writes) await WriteGate.Enter(mode);
        try
        {
            var session = await Rent(mode);
            try
            {
                session.Begin(writes);
                var result = await work(session);
                session.Commit();
                Return(session);
                return result;
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }
        finally
        {
            if (writes) WriteGate.Exit();
        }
    }

    protected override async ValueTask SaveProgram(string name, string source, string hash, IReadOnlyDictionary<string, string>? modules, CallMode mode) =>
        await Transaction(writes: true, mode, async s =>
        {
            var modulesJson = StoredPrograms.ModulesJson(modules);
            await s.Command("INSERT INTO programs (Hash, Name, Source, ModulesJson, CreatedAt) VALUES (@hash, @name, @source, @modules, @now) ON CONFLICT (Hash) DO NOTHING")
                .With("@hash", hash).With("@name", name).With("@source", source).With("@modules", modulesJson).With("@now", Now())
                .ExecuteNonQueryAsync(mode);
            // A new deployment unless this version is the name's current one already.
            return await s.Command($"INSERT INTO deployments (Name, Hash, DeployedAt) SELECT @name, @hash, @now WHERE ({CurrentHashSql}) IS NOT @hash")
                .With("@name", name).With("@hash", hash).With("@now", Now())
                .ExecuteNonQueryAsync(mode);
        });

    protected override ValueTask<ProgramVersion?> GetProgram(string hash, CallMode mode) => Transaction(writes: false, mode, s =>
        ReadProgram(s.Command("SELECT Hash, Name, Source, CreatedAt, ModulesJson FROM programs WHERE Hash = @hash").With("@hash", hash), mode));

    protected override ValueTask<ProgramVersion?> GetLatestProgram(string name, CallMode mode) => Transaction(writes: false, mode, s =>
        ReadProgram(s.Command(
            "SELECT p.Hash, d.Name, p.Source, d.DeployedAt, p.ModulesJson FROM deployments d JOIN programs p ON p.Hash = d.Hash WHERE d.Name = @name ORDER BY d.Id DESC LIMIT 1")
            .With("@name", name), mode));

    /// <summary>The hash of the current version of @name (the newest deployment), or NULL.</summary>
    internal const string CurrentHashSql = "SELECT Hash FROM deployments WHERE Name = @name ORDER BY Id DESC LIMIT 1";

    private static ValueTask<ProgramVersion?> ReadProgram(SqliteCommand command, CallMode mode) =>
        command.ReadFirstAsync(mode, (SqliteDataReader reader) => StoredPrograms.Version(reader));

    protected override ValueTask<IReadOnlyList<Deployment>> ListDeployments(CallMode mode) => Transaction<IReadOnlyList<Deployment>>(writes: false, mode, async s =>
        // The newest deployment row of a name is its current version.
        await s.Command("""
            SELECT d.Name, d.Hash, d.DeployedAt FROM deployments d
            WHERE d.Id = (SELECT MAX(Id) FROM deployments WHERE Name = d.Name)
            ORDER BY d.Name
            """).ReadAllAsync(mode, (SqliteDataReader reader) => new Deployment(reader.GetString(0), reader.GetString(1), UnixTime.Time(reader.GetInt64(2)))));

    protected override ValueTask<IReadOnlyList<Deployment>> ListDeploymentsOf(string name, CallMode mode) => Transaction<IReadOnlyList<Deployment>>(writes: false, mode, async s =>
        await s.Command("SELECT Name, Hash, DeployedAt FROM deployments WHERE Name = @name ORDER BY Id DESC").With("@name", name)
            .ReadAllAsync(mode, (SqliteDataReader reader) => new Deployment(reader.GetString(0), reader.GetString(1), UnixTime.Time(reader.GetInt64(2)))));

    protected override ValueTask<PendingWork> GetPendingWork(string instanceId, CallMode mode) => Transaction(writes: false, mode, async s =>
    {
        var activities = await s.Command("SELECT Sequence, Name, ArgumentsJson, Attempts, LastError FROM activity_tasks WHERE InstanceId = @id ORDER BY Sequence")
            .With("@id", instanceId)
            .ReadAllAsync(mode, (SqliteDataReader reader) =>
                new PendingActivity(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.NullableString(4)));
        var timers = await ReadTimers(s.Command("SELECT InstanceId, Sequence, DueAt FROM timers WHERE InstanceId = @id ORDER BY Sequence").With("@id", instanceId), mode);
        return new PendingWork(activities, timers);
    });

    protected override ValueTask<(InstanceView Instance, bool Created)> StartInstance(NewInstance instance, CallMode mode) => Transaction(writes: true, mode, async s =>
    {
        var created = await InsertInstance(s, instance, Now()).ExecuteNonQueryAsync(mode) == 1;
        return ((await ReadInstance(s, instance.Id, mode))!, created);
    });

    /// <summary>The insert of a ready, running instance unless its id exists, ready to run; it inserts 0 or 1 rows.</summary>
    private static SqliteCommand InsertInstance(SqliteSession s, NewInstance instance, long now) =>
        s.Command("""
            INSERT INTO instances (Id, Workflow, ProgramHash, Status, InputJson, ParentId, ParentSequence, Ready, ReadySince, Turns, Revision, CreatedAt, UpdatedAt)
            VALUES (@id, @workflow, @hash, 'running', @input, @parent, @parentSequence, 1, @now, 0, 0, @now, @now)
            ON CONFLICT (Id) DO NOTHING
            """)
            .With("@id", instance.Id).With("@workflow", instance.Workflow).With("@hash", instance.ProgramHash)
            .With("@input", instance.InputJson).With("@parent", instance.ParentId).With("@parentSequence", instance.ParentSequence)
            .With("@now", now);

    protected override ValueTask<InstanceView?> GetInstance(string id, CallMode mode) => Transaction(writes: false, mode, s => ReadInstance(s, id, mode));

    private static ValueTask<InstanceView?> ReadInstance(SqliteSession s, string id, CallMode mode) =>
        s.Command($"SELECT {InstanceColumns} FROM instances WHERE Id = @id").With("@id", id).ReadFirstAsync(mode, (SqliteDataReader reader) => Instance(reader));

    /// <summary>The InstanceView in a row read with InstanceColumns (Revision, the 13th, is left to the caller; Paused, the 14th, shows in the status).</summary>
    private static InstanceView Instance(SqliteDataReader r) => new(
        Id: r.GetString(0),
        Workflow: r.GetString(1),
        ProgramHash: r.GetString(2),
        Status: StoredNames.Shown(r.GetString(3), r.GetBoolean(13)),
        InputJson: r.NullableString(4),
        ResultJson: r.NullableString(5),
        Error: r.NullableString(6),
        Pickle: r.IsDBNull(7) ? null : r.GetFieldValue<byte[]>(7),
        ParentId: r.NullableString(8),
        Turns: r.GetInt32(9),
        CreatedAt: UnixTime.Time(r.GetInt64(10)),
        UpdatedAt: UnixTime.Time(r.GetInt64(11)));

    /// <summary>Newest first (creation time, then id), keyset-paged: the cursor is the last row's (CreatedAt, Id). [query].Limit is clamped to 1..1000.</summary>
    protected override ValueTask<InstancePage> ListInstances(InstanceQuery query, CallMode mode) => Transaction(writes: false, mode, async s =>
    {
        var limit = Math.Clamp(query.Limit, 1, 1000);
        var after = query.Cursor == null ? default((long, string)?) : InstanceCursor.Decode(query.Cursor);
        var sql = $"SELECT {InstanceColumns} FROM instances WHERE 1 = 1"
            + (query.Status is { } status ? StatusCondition(status) : "")
            + (query.Workflow != null ? " AND Workflow = @workflow" : "")
            + (query.Parent != null ? " AND ParentId = @parent" : "")
            + (after != null ? " AND (CreatedAt, Id) < (@afterTime, @afterId)" : "")
            + " ORDER BY CreatedAt DESC, Id DESC LIMIT @limit";
        var command = s.Command(sql).With("@limit", limit + 1);
        if (query.Status is { } filter && filter != InstanceStatus.Paused) command.With("@status", StoredNames.Of(filter));
        if (query.Workflow != null) command.With("@workflow", query.Workflow);
        if (query.Parent != null) command.With("@parent", query.Parent);
        if (after != null) command.With("@afterTime", after.Value.Item1).With("@afterId", after.Value.Item2);
        // Each row with its CreatedAt, the cursor's first half.
        var rows = await command.ReadAllAsync(mode, (SqliteDataReader reader) => (Instance: Instance(reader), CreatedAt: reader.GetInt64(10)));
        return InstanceCursor.Page(rows, limit);
    });

    /// <summary>
    /// ListInstances' condition for the status [status] reads show: Paused is the flag on a row that
    /// can still run, and a paused row is neither running nor waiting (its stored status).
    /// </summary>
    private static string StatusCondition(InstanceStatus status) => status switch
    {
        InstanceStatus.Paused => $" AND Paused = 1 AND {StoredNames.NotFinal}",
        InstanceStatus.Running or InstanceStatus.Waiting => " AND Status = @status AND Paused = 0",
        _ => " AND Status = @status",
    };

    protected override ValueTask<DeliveryResult> Hold(string instanceId, bool paused, CallMode mode) =>
        Transaction(writes: true, mode, async s =>
        {
            var now = Now();
            // A change of the flag is a journal entry of its own (its status the stored one, its pickle the current one).
            var changed = await s.Command($"""
                UPDATE instances SET Paused = @paused, Turns = Turns + 1, UpdatedAt = @now
                WHERE Id = @id AND {StoredNames.NotFinal} AND Paused <> @paused
                RETURNING Turns, Status, Pickle
                """).With("@id", instanceId).With("@paused", paused).With("@now", now)
                .ReadFirstAsync(mode, (SqliteDataReader r) => (Found: true, Turn: r.GetInt32(0), Status: r.GetString(1), Pickle: r.IsDBNull(2) ? null : (byte[])r[2]));
            if (changed.Found)
            {
                InsertJournalEntry(s, instanceId, changed.Turn, StoredNames.Status(changed.Status), changed.Pickle,
                    new JournalEntry(paused ? JournalKinds.Pause : JournalKinds.Resume), now);
                return DeliveryResult.Accepted;
            }
            var status = await s.Command("SELECT Status FROM instances WHERE Id = @id").With("@id", instanceId).ExecuteScalarAsync(mode) as string;
            if (status == null) return DeliveryResult.NotFound;
            return StoredNames.IsFinal(StoredNames.Status(status)) ? DeliveryResult.AlreadyFinished : DeliveryResult.Accepted;
        });

    protected override ValueTask<DeliveryResult> DeliverOrExplain(string instanceId, InboxKind kind, string? name, string? payload, CallMode mode) =>
        Transaction(writes: true, mode, async s =>
        {
            var now = Now();
            if (await MakeReady(s, instanceId, now).ExecuteNonQueryAsync(mode) == 1)
            {
                await InsertInboxEntry(s, instanceId, kind, 0, name, payload, now).ExecuteNonQueryAsync(mode);
                return DeliveryResult.Accepted;
            }
            var exists = await s.Command("SELECT 1 FROM instances WHERE Id = @id").With("@id", instanceId).ExecuteScalarAsync(mode) != null;
            return exists ? DeliveryResult.AlreadyFinished : DeliveryResult.NotFound;
        });

    /// <summary>
    /// Delivers an inbox entry to [instanceId] and makes it ready (keeping ReadySince when it was
    /// ready already), unless it is missing or final. Returns whether it was delivered.
    /// </summary>
    private static bool Deliver(SqliteSession s, string instanceId, InboxKind kind, int sequence, string? name, string? payload, long now, int? attempts = null)
    {
        if (MakeReady(s, instanceId, now).ExecuteNonQuery() == 0) return false;
        InsertInboxEntry(s, instanceId, kind, sequence, name, payload, now, attempts).ExecuteNonQuery();
        return true;
    }

    /// <summary>The update that makes [instanceId] ready for a delivery (keeping ReadySince when it was ready already); it changes no row when the instance is missing or final.</summary>
    private static SqliteCommand MakeReady(SqliteSession s, string instanceId, long now) =>
        s.Command($"""
            UPDATE instances SET Ready = 1, ReadySince = CASE WHEN Ready = 1 AND ReadySince IS NOT NULL THEN ReadySince ELSE @now END
            WHERE Id = @id AND {StoredNames.NotFinal}
            """).With("@id", instanceId).With("@now", now);

    private static SqliteCommand InsertInboxEntry(SqliteSession s, string instanceId, InboxKind kind, int sequence, string? name, string? payload, long now,
        int? attempts = null) =>
        s.Command("INSERT INTO inbox (InstanceId, Kind, Sequence, Name, Payload, Attempts, CreatedAt) VALUES (@id, @kind, @sequence, @name, @payload, @attempts, @now)")
            .With("@id", instanceId).With("@kind", StoredNames.Of(kind)).With("@sequence", sequence)
            .With("@name", name).With("@payload", payload).With("@attempts", attempts).With("@now", now);

    /// <summary>Ready instances (claimed or not; paused ones wait for an operator, not for a worker), activity tasks and timers left, and the next timer's due time.</summary>
    protected override async ValueTask<WorkSummary> Summary(CallMode mode) => (await Transaction(writes: false, mode, s =>
        s.Command($"""
            SELECT (SELECT COUNT(*) FROM instances WHERE Ready = 1 AND Paused = 0 AND {StoredNames.NotFinal}),
                   (SELECT COUNT(*) FROM activity_tasks),
                   (SELECT COUNT(*) FROM timers),
                   (SELECT MIN(DueAt) FROM timers)
            """).ReadFirstAsync(mode, (SqliteDataReader reader) =>
        {
            var next = reader.NullableInt64(3);
            return new WorkSummary(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), next == null ? null : UnixTime.Time(next.Value));
        })))!;
}
