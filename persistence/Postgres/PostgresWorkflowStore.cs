using System.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>
/// The workflow database on a PostgreSQL server (IWorkflowStore), the sibling of the SQLite
/// WorkflowStore with the same semantics call for call. EF Core owns the schema (opening the store
/// applies the migrations); the calls run SQL through one pooled NpgsqlDataSource, each call one
/// transaction. Several worker processes may share a database: they compete for work without
/// blocking each other, because claims lock rows with FOR UPDATE SKIP LOCKED.
/// </summary>
/// <remarks>
/// Writes run at READ COMMITTED. The rule that keeps that correct: whoever adds to an instance's
/// inbox or reads it to decide something locks the instance row first, in an earlier statement than
/// the one that reads. Deliveries lock the row before their inbox id is drawn, so per instance the
/// inbox ids grow in commit order, and a claim (which holds the row) sees every entry up to the last
/// one it reads. See PostgresWorkflowStore.Turns.cs for the commit's side of the rule.
/// The schema's names are EF's: lowercase tables, quoted PascalCase columns.
/// </remarks>
internal sealed partial class PostgresWorkflowStore : SyncAndAsyncStore, IWorkflowStore, IDisposable
{
    private const string InstanceColumns =
        "\"Id\", \"Workflow\", \"ProgramHash\", \"Status\", \"InputJson\", \"ResultJson\", \"Error\", \"Pickle\", \"ParentId\", \"Turns\", \"CreatedAt\", \"UpdatedAt\", \"Revision\", \"Paused\"";

    /// <summary>SQLSTATEs of a transaction the server rolled back for a conflict: serialization_failure, deadlock_detected.</summary>
    private static readonly string[] ConflictStates = [PostgresErrorCodes.SerializationFailure, PostgresErrorCodes.DeadlockDetected];

    private readonly NpgsqlDataSource _dataSource;
    /// <summary>What Open was given: workers' lock connections are opened from it, outside the pool.</summary>
    private readonly string _connectionString;
    private readonly TimeProvider _clock;
    private readonly int _conflictRetries;

    private PostgresWorkflowStore(NpgsqlDataSource dataSource, string connectionString, PostgresStoreOptions options)
    {
        _dataSource = dataSource;
        _connectionString = connectionString;
        _clock = options.Clock;
        _conflictRetries = options.ConflictRetries;
    }

    /// <summary>
    /// Connects to the existing database named in [connectionString] and applies the EF Core
    /// migrations found in the assembly named [migrationsAssembly] when some are pending. Hosts do not
    /// call this: they call PostgresWorkflowDatabase.Open in Workflow.Migrations.Postgres, which names
    /// its own assembly, so that a host cannot open a store whose migrations it does not ship.
    /// </summary>
    internal static PostgresWorkflowStore Open(string connectionString, string migrationsAssembly, PostgresStoreOptions? options = null)
    {
        options ??= new PostgresStoreOptions();
        options.Validate();
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (!Sets(connectionString, "Max Auto Prepare")) builder.ConnectionStringBuilder.MaxAutoPrepare = options.MaxAutoPrepare;
        // A pooled connection is reset when it goes back to the pool: with prepared statements kept,
        // that is seven statements (RESET ALL, UNLISTEN *, …) before the next transaction, on every
        // call. The store leaves no session state behind (no SET, LISTEN, temp tables or session
        // locks: a worker's advisory lock lives on a connection of its own, outside the pool), so there is nothing to reset.
        if (!Sets(connectionString, "No Reset On Close")) builder.ConnectionStringBuilder.NoResetOnClose = true;
        var dataSource = builder.Build();
        try
        {
            Migrate(dataSource, connectionString, migrationsAssembly);
        }
        catch
        {
            dataSource.Dispose();
            throw;
        }
        return new PostgresWorkflowStore(dataSource, connectionString, options);
    }

    /// <summary>
    /// Whether [connectionString] names the setting [keyword] itself (with or without its spaces, in
    /// any case, as Npgsql accepts). NpgsqlConnectionStringBuilder cannot say: its ContainsKey is
    /// true for every keyword it knows.
    /// </summary>
    internal static bool Sets(string connectionString, string keyword) =>
        new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
            .Cast<string>()
            .Any(key => key.Replace(" ", "").Equals(keyword.Replace(" ", ""), StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Applies pending migrations on a connection of the store's own pool. Nothing is locked when
    /// nothing is pending (the usual start). Otherwise the migrators queue on a session advisory
    /// lock, which the server releases if the migrating process dies, and each looks again once it
    /// holds it. EF's own lock is not enough: it is held per migration's transaction, so with two
    /// migrations pending a second process could start the second one's work over again ("relation
    /// already exists", found with four processes opening an empty database at once).
    /// </summary>
    private static void Migrate(NpgsqlDataSource dataSource, string connectionString, string migrationsAssembly)
    {
        if (MigrationIds.AllApplied(migrationsAssembly, AppliedMigrations(dataSource))) return;
        using var connection = dataSource.CreateConnection();
        var contextOptions = new DbContextOptionsBuilder<WorkflowDbContext>()
            .UseNpgsql(connection, npgsql => npgsql.MigrationsAssembly(migrationsAssembly))
            .Options;
        using var db = new WorkflowDbContext(contextOptions);
        if (!db.Database.GetPendingMigrations().Any()) return;
        // Outside the pool: a pooled connection would go back with the lock held.
        using var held = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        held.Open();
        using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext('workflow-migrations'))", held)) take.ExecuteNonQuery();
        if (db.Database.GetPendingMigrations().Any()) db.Database.Migrate();
    }

    /// <summary>The ids in EF's history table; empty when there is none yet (a new database).</summary>
    private static HashSet<string> AppliedMigrations(NpgsqlDataSource dataSource)
    {
        var applied = new HashSet<string>(StringComparer.Ordinal);
        using var connection = dataSource.OpenConnection();
        using (var exists = new NpgsqlCommand("SELECT to_regclass('\"__EFMigrationsHistory\"') IS NOT NULL", connection))
        {
            if (exists.ExecuteScalar() is not true) return applied;
        }
        using var command = new NpgsqlCommand("SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\"", connection);
        using var reader = command.ExecuteReader();
        while (reader.Read()) applied.Add(reader.GetString(0));
        return applied;
    }

    /// <summary>Closes the pool's connections; calls after this throw ObjectDisposedException.</summary>
    public void Dispose() => _dataSource.Dispose();

    private long Now() => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Runs [work] in one READ COMMITTED transaction on a pooled connection, again (from scratch) when
    /// the server aborted it for a deadlock or serialization failure, at most ConflictRetries times.
    /// [work] must therefore only compute from its arguments and the database.
    /// </summary>
    private T Write<T>(Func<PostgresSession, T> work) => Write(CallMode.Sync, s => ValueTask.FromResult(work(s))).SyncResult();

    /// <summary>Write, with the session in [mode].</summary>
    private ValueTask<T> Write<T>(CallMode mode, Func<PostgresSession, ValueTask<T>> work) => Run(IsolationLevel.ReadCommitted, mode, work);

    /// <summary>
    /// Runs a read-only [work] in one REPEATABLE READ transaction, so that its statements see one
    /// snapshot, as a SQLite read transaction does. Reads never conflict, but the retry costs nothing.
    /// </summary>
    private T Read<T>(Func<PostgresSession, T> work) => Read(CallMode.Sync, s => ValueTask.FromResult(work(s))).SyncResult();

    /// <summary>Read, with the session in [mode].</summary>
    private ValueTask<T> Read<T>(CallMode mode, Func<PostgresSession, ValueTask<T>> work) => Run(IsolationLevel.RepeatableRead, mode, work);

    private async ValueTask<T> Run<T>(IsolationLevel isolation, CallMode mode, Func<PostgresSession, ValueTask<T>> work)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var session = await PostgresSession.Begin(_dataSource, isolation, mode);
                try
                {
                    var result = await work(session);
                    await session.Commit();
                    return result;
                }
                finally
                {
                    await session.Close();
                }
            }
            catch (PostgresException e) when (attempt < _conflictRetries && ConflictStates.Contains(e.SqlState))
            {
                // The server rolled the whole transaction back: nothing of this attempt was written.
            }
        }
    }

    protected override async ValueTask SaveProgram(string name, string source, string hash, IReadOnlyDictionary<string, string>? modules, CallMode mode) =>
        await Write(mode, async s =>
        {
            var modulesJson = StoredPrograms.ModulesJson(modules);
            var now = Now();
            // Deployments of one name queue here, so that the newest row (highest Id) is the one
            // committed last: identity values are drawn at insert time, not at commit.
            await s.Command("SELECT pg_advisory_xact_lock(hashtext('deployments'), hashtext(@name))").With("@name", name).ExecuteNonQueryAsync(mode);
            await s.Command("INSERT INTO programs (\"Hash\", \"Name\", \"Source\", \"ModulesJson\", \"CreatedAt\") VALUES (@hash, @name, @source, @modules, @now) ON CONFLICT (\"Hash\") DO NOTHING")
                .With("@hash", hash).With("@name", name).With("@source", source).With("@modules", modulesJson).With("@now", now)
                .ExecuteNonQueryAsync(mode);
            // A new deployment unless this version is the name's current one already.
            return await s.Command($"INSERT INTO deployments (\"Name\", \"Hash\", \"DeployedAt\") SELECT @name, @hash, @now WHERE ({CurrentHashSql}) IS DISTINCT FROM @hash")
                .With("@name", name).With("@hash", hash).With("@now", now)
                .ExecuteNonQueryAsync(mode);
        });

    protected override ValueTask<ProgramVersion?> GetProgram(string hash, CallMode mode) => Read(mode, s =>
        ReadProgram(s.Command("SELECT \"Hash\", \"Name\", \"Source\", \"CreatedAt\", \"ModulesJson\" FROM programs WHERE \"Hash\" = @hash").With("@hash", hash), mode));

    protected override ValueTask<ProgramVersion?> GetLatestProgram(string name, CallMode mode) => Read(mode, s =>
        ReadProgram(s.Command("""
            SELECT p."Hash", d."Name", p."Source", d."DeployedAt", p."ModulesJson" FROM deployments d JOIN programs p ON p."Hash" = d."Hash"
            WHERE d."Name" = @name ORDER BY d."Id" DESC LIMIT 1
            """).With("@name", name), mode));

    /// <summary>The hash of the current version of @name (the newest deployment), or NULL.</summary>
    private const string CurrentHashSql = "SELECT \"Hash\" FROM deployments WHERE \"Name\" = @name ORDER BY \"Id\" DESC LIMIT 1";

    private static ValueTask<ProgramVersion?> ReadProgram(NpgsqlCommand command, CallMode mode) =>
        command.ReadFirstAsync(mode, (NpgsqlDataReader reader) => StoredPrograms.Version(reader));

    protected override ValueTask<IReadOnlyList<Deployment>> ListDeployments(CallMode mode) => Read<IReadOnlyList<Deployment>>(mode, async s =>
        // The newest deployment row of a name is its current version.
        await s.Command("""
            SELECT DISTINCT ON ("Name") "Name", "Hash", "DeployedAt" FROM deployments
            ORDER BY "Name", "Id" DESC
            """).ReadAllAsync(mode, (NpgsqlDataReader reader) => new Deployment(reader.GetString(0), reader.GetString(1), UnixTime.Time(reader.GetInt64(2)))));

    protected override ValueTask<IReadOnlyList<Deployment>> ListDeploymentsOf(string name, CallMode mode) => Read<IReadOnlyList<Deployment>>(mode, async s =>
        await s.Command("SELECT \"Name\", \"Hash\", \"DeployedAt\" FROM deployments WHERE \"Name\" = @name ORDER BY \"Id\" DESC").With("@name", name)
            .ReadAllAsync(mode, (NpgsqlDataReader reader) => new Deployment(reader.GetString(0), reader.GetString(1), UnixTime.Time(reader.GetInt64(2)))));

    protected override ValueTask<PendingWork> GetPendingWork(string instanceId, CallMode mode) => Read(mode, async s =>
    {
        var activities = await s.Command("SELECT \"Sequence\", \"Name\", \"ArgumentsJson\", \"Attempts\", \"LastError\" FROM activity_tasks WHERE \"InstanceId\" = @id ORDER BY \"Sequence\"")
            .With("@id", instanceId)
            .ReadAllAsync(mode, (NpgsqlDataReader reader) =>
                new PendingActivity(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.NullableString(4)));
        var timers = await ReadTimers(s.Command("SELECT \"InstanceId\", \"Sequence\", \"DueAt\" FROM timers WHERE \"InstanceId\" = @id ORDER BY \"Sequence\"").With("@id", instanceId), mode);
        return new PendingWork(activities, timers);
    });

    protected override ValueTask<(InstanceView Instance, bool Created)> StartInstance(NewInstance instance, CallMode mode) => Write(mode, async s =>
    {
        // A concurrent start of the same id waits for this one's row and then inserts nothing;
        // the read below is a new statement, so it sees whichever row won.
        var insert = InsertInstance(s, instance, Now());
        await s.FlushAsync();
        var view = (await ReadInstance(s, instance.Id, mode))!;
        return (view, insert.RecordsAffected == 1);
    });

    /// <summary>Queues the insert of a ready, running instance unless its id exists (RecordsAffected 0 then).</summary>
    private static NpgsqlBatchCommand InsertInstance(PostgresSession s, NewInstance instance, long now) =>
        s.Queue("""
            INSERT INTO instances ("Id", "Workflow", "ProgramHash", "Status", "InputJson", "ParentId", "ParentSequence", "Ready", "ReadySince", "Turns", "Revision", "CreatedAt", "UpdatedAt")
            VALUES (@id, @workflow, @hash, 'running', @input, @parent, @parentSequence, TRUE, @now, 0, 0, @now, @now)
            ON CONFLICT ("Id") DO NOTHING
            """)
            .With("@id", instance.Id).With("@workflow", instance.Workflow).With("@hash", instance.ProgramHash)
            .With("@input", instance.InputJson).With("@parent", instance.ParentId).With("@parentSequence", instance.ParentSequence)
            .With("@now", now);

    protected override ValueTask<InstanceView?> GetInstance(string id, CallMode mode) => Read(mode, s => ReadInstance(s, id, mode));

    private static ValueTask<InstanceView?> ReadInstance(PostgresSession s, string id, CallMode mode) =>
        s.Command($"SELECT {InstanceColumns} FROM instances WHERE \"Id\" = @id").With("@id", id).ReadFirstAsync(mode, (NpgsqlDataReader reader) => Instance(reader));

    /// <summary>The InstanceView in a row read with InstanceColumns (Revision, the 13th, is left to the caller; Paused, the 14th, shows in the status).</summary>
    private static InstanceView Instance(NpgsqlDataReader r) => new(
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

    /// <summary>
    /// Newest first (creation time, then id), keyset-paged: the cursor is the last row's (CreatedAt, Id).
    /// [query].Limit is clamped to 1..1000. Ids compare in the database's collation, consistently
    /// between pages, so paging is exact whatever the collation.
    /// </summary>
    protected override ValueTask<InstancePage> ListInstances(InstanceQuery query, CallMode mode)
    {
        var limit = Math.Clamp(query.Limit, 1, 1000);
        // Decoded before the transaction: a bad cursor is the caller's error, not the database's.
        var after = query.Cursor == null ? default((long, string)?) : InstanceCursor.Decode(query.Cursor);
        return Read(mode, async s =>
        {
            var sql = $"SELECT {InstanceColumns} FROM instances WHERE TRUE"
                + (query.Status is { } status ? StatusCondition(status) : "")
                + (query.Workflow != null ? " AND \"Workflow\" = @workflow" : "")
                + (query.Parent != null ? " AND \"ParentId\" = @parent" : "")
                + (after != null ? " AND (\"CreatedAt\", \"Id\") < (@afterTime, @afterId)" : "")
                + " ORDER BY \"CreatedAt\" DESC, \"Id\" DESC LIMIT @limit";
            var command = s.Command(sql).With("@limit", limit + 1);
            if (query.Status is { } filter && filter != InstanceStatus.Paused) command.With("@status", StoredNames.Of(filter));
            if (query.Workflow != null) command.With("@workflow", query.Workflow);
            if (query.Parent != null) command.With("@parent", query.Parent);
            if (after != null) command.With("@afterTime", after.Value.Item1).With("@afterId", after.Value.Item2);
            // Each row with its CreatedAt, the cursor's first half.
            var rows = await command.ReadAllAsync(mode, (NpgsqlDataReader reader) => (Instance: Instance(reader), CreatedAt: reader.GetInt64(10)));
            return InstanceCursor.Page(rows, limit);
        });
    }

    /// <summary>
    /// ListInstances' condition for the status [status] reads show: Paused is the flag on a row that
    /// can still run, and a paused row is neither running nor waiting (its stored status).
    /// </summary>
    private static string StatusCondition(InstanceStatus status) => status switch
    {
        InstanceStatus.Paused => $" AND \"Paused\" AND {NotFinal}",
        InstanceStatus.Running or InstanceStatus.Waiting => " AND \"Status\" = @status AND NOT \"Paused\"",
        _ => " AND \"Status\" = @status",
    };

    protected override ValueTask<DeliveryResult> Hold(string instanceId, bool paused, CallMode mode) =>
        Write(mode, async s =>
        {
            var now = Now();
            // A change of the flag is a journal entry of its own (its status the stored one, its pickle the current one).
            var changed = await s.Command($"""
                UPDATE instances SET "Paused" = @paused, "Turns" = "Turns" + 1, "UpdatedAt" = @now
                WHERE "Id" = @id AND {NotFinal} AND "Paused" <> @paused
                RETURNING "Turns", "Status", "Pickle"
                """).With("@id", instanceId).With("@paused", paused).With("@now", now)
                .ReadFirstAsync(mode, (NpgsqlDataReader r) => (Found: true, Turn: r.GetInt32(0), Status: r.GetString(1), Pickle: r.IsDBNull(2) ? null : (byte[])r[2]));
            if (changed.Found)
            {
                QueueJournalEntry(s, instanceId, changed.Turn, StoredNames.Status(changed.Status), changed.Pickle,
                    new JournalEntry(paused ? JournalKinds.Pause : JournalKinds.Resume), now);
                return DeliveryResult.Accepted;
            }
            var status = await s.Command("SELECT \"Status\" FROM instances WHERE \"Id\" = @id").With("@id", instanceId).ExecuteScalarAsync(mode) as string;
            if (status == null) return DeliveryResult.NotFound;
            return StoredNames.IsFinal(StoredNames.Status(status)) ? DeliveryResult.AlreadyFinished : DeliveryResult.Accepted;
        });

    protected override ValueTask<DeliveryResult> DeliverOrExplain(string instanceId, InboxKind kind, string? name, string? payload, CallMode mode) =>
        Write(mode, async s =>
        {
            var delivery = Deliver(s, instanceId, kind, 0, name, payload, Now());
            await s.FlushAsync();
            if (delivery.RecordsAffected == 1) return DeliveryResult.Accepted;
            var exists = await s.Command("SELECT 1 FROM instances WHERE \"Id\" = @id").With("@id", instanceId).ExecuteScalarAsync(mode) != null;
            return exists ? DeliveryResult.AlreadyFinished : DeliveryResult.NotFound;
        });

    /// <summary>
    /// Queues the delivery of an inbox entry to [instanceId], which makes it ready (keeping ReadySince
    /// when it was ready already), unless it is missing or final, or, with [parentId], not a child of
    /// that instance. Its RecordsAffected, after the flush, is 1 when it was delivered.
    /// </summary>
    /// <remarks>
    /// One statement, whose UPDATE locks the instance row before the INSERT draws the entry's id (see
    /// the class remarks). When a commit holds the row, the UPDATE waits and then re-reads the row as
    /// committed: an instance the commit made final gets nothing, any other is made ready again.
    /// </remarks>
    private static NpgsqlBatchCommand Deliver(PostgresSession s, string instanceId, InboxKind kind, int sequence, string? name, string? payload, long now,
        string? parentId = null)
    {
        var delivery = s.Queue(parentId == null ? DeliverSql : DeliverToChildSql)
            .With("@id", instanceId).With("@kind", StoredNames.Of(kind)).With("@sequence", sequence)
            .With("@name", name).With("@payload", payload).With("@now", now);
        return parentId == null ? delivery : delivery.With("@parent", parentId);
    }

    private static string DeliverWhere(string condition) => $"""
        WITH ready AS (
            UPDATE instances SET "Ready" = TRUE, "ReadySince" = CASE WHEN "Ready" AND "ReadySince" IS NOT NULL THEN "ReadySince" ELSE @now END
            WHERE "Id" = @id AND {NotFinal} {condition}
            RETURNING "Id")
        INSERT INTO inbox ("InstanceId", "Kind", "Sequence", "Name", "Payload", "CreatedAt")
        SELECT "Id", @kind, @sequence, @name, @payload, @now FROM ready
        """;

    /// <summary>An instance row as LockInstances read it.</summary>
    private readonly record struct LockedInstance(long Revision, string? ParentId, int ParentSequence);

    /// <summary>
    /// Locks the rows of the instances [ids] (those that exist) in one order every call uses, for a
    /// call that goes on to write several of them, and returns what the commit needs of them. Without
    /// the order, two calls writing the same instances in different orders (two processes firing the
    /// same timers, say) deadlock, and the server aborts one after a second's wait. Deadlocks through
    /// parents and children remain possible; the server breaks them and Run retries the call.
    /// </summary>
    private static Dictionary<string, LockedInstance> LockInstances(PostgresSession s, string[] ids)
    {
        var rows = new Dictionary<string, LockedInstance>(ids.Length);
        if (ids.Length == 0) return rows;
        using var reader = s.Command("SELECT \"Id\", \"Revision\", \"ParentId\", \"ParentSequence\" FROM instances WHERE \"Id\" = ANY(@ids) ORDER BY \"Id\" COLLATE \"C\" FOR UPDATE")
            .WithArray("@ids", NpgsqlDbType.Text, ids).ExecuteReader();
        while (reader.Read()) rows[reader.GetString(0)] = new LockedInstance(reader.GetInt64(1), reader.NullableString(2), reader.GetInt32(3));
        return rows;
    }

    /// <summary>StoredNames.NotFinal with the column quoted, as PostgreSQL needs it for a PascalCase name.</summary>
    private static readonly string NotFinal =
        $"\"Status\" IN ('{StoredNames.Of(InstanceStatus.Running)}', '{StoredNames.Of(InstanceStatus.Waiting)}')";

    // After NotFinal, which they contain: static fields are initialized in the order they are written.
    private static readonly string DeliverSql = DeliverWhere("");
    private static readonly string DeliverToChildSql = DeliverWhere("AND \"ParentId\" = @parent");

    /// <summary>Ready instances (claimed or not; paused ones wait for an operator, not for a worker), activity tasks and timers left, and the next timer's due time.</summary>
    protected override async ValueTask<WorkSummary> Summary(CallMode mode) => (await Read(mode, s =>
        s.Command($"""
            SELECT (SELECT COUNT(*) FROM instances WHERE "Ready" AND NOT "Paused" AND {NotFinal}),
                   (SELECT COUNT(*) FROM activity_tasks),
                   (SELECT COUNT(*) FROM timers),
                   (SELECT MIN("DueAt") FROM timers)
            """).ReadFirstAsync(mode, (NpgsqlDataReader reader) =>
        {
            var next = reader.NullableInt64(3);
            return new WorkSummary(checked((int)reader.GetInt64(0)), checked((int)reader.GetInt64(1)), checked((int)reader.GetInt64(2)),
                next == null ? null : UnixTime.Time(next.Value));
        })))!;
}
