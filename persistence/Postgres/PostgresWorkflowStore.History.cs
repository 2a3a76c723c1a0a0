using Npgsql;
using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>Reading instances' journals.</summary>
internal sealed partial class PostgresWorkflowStore
{
    protected override ValueTask<JournalPage?> GetHistory(string instanceId, int afterTurn, int limit, CallMode mode) => Read(mode, async s =>
    {
        if (await s.Command("SELECT 1 FROM instances WHERE \"Id\" = @id").With("@id", instanceId).ExecuteScalarAsync(mode) == null) return null;
        var rows = await s.Command("""
            SELECT "Turn", "Kind", "At", "Worker", "DurationMicros", "Status", "Entry", "PickleBytes", "Pickle" IS NOT NULL
            FROM journal WHERE "InstanceId" = @id AND "Turn" > @after ORDER BY "Turn" LIMIT @limit
            """)
            .With("@id", instanceId).With("@after", afterTurn).With("@limit", limit + 1)
            .ReadAllAsync(mode, (NpgsqlDataReader r) => new JournalRow(r.GetInt32(0), r.GetString(1), UnixTime.Time(r.GetInt64(2)), r.NullableString(3),
                r.GetInt64(4), StoredNames.Status(r.GetString(5)), r.GetString(6), r.GetInt32(7), r.GetBoolean(8)));
        return JournalPages.Of(rows, limit);
    });

    protected override ValueTask<TurnPickle?> GetTurnPickle(string instanceId, int turn, CallMode mode) => Read(mode, s =>
        s.Command("SELECT \"Turn\", \"Status\", \"Pickle\", \"PickleBytes\" FROM journal WHERE \"InstanceId\" = @id AND \"Turn\" = @turn")
            .With("@id", instanceId).With("@turn", turn)
            .ReadFirstAsync(mode, (NpgsqlDataReader r) => new TurnPickle(r.GetInt32(0), StoredNames.Status(r.GetString(1)), r.IsDBNull(2) ? null : (byte[])r[2], r.GetInt32(3))));
}
