using Npgsql;
using NpgsqlTypes;
using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>Durable timers: the rows are the truth, the scheduler (Quartz) only fires them on time.</summary>
internal sealed partial class PostgresWorkflowStore
{
    public IReadOnlyList<TimerRow> ListTimers() => Read(CallMode.Sync, s =>
        ReadTimers(s.Command("SELECT \"InstanceId\", \"Sequence\", \"DueAt\" FROM timers ORDER BY \"DueAt\", \"InstanceId\", \"Sequence\""), CallMode.Sync))
        .SyncResult();

    public IReadOnlyList<TimerRow> DueTimers(DateTime now, int max) => Read(CallMode.Sync, s =>
        ReadTimers(s.Command("SELECT \"InstanceId\", \"Sequence\", \"DueAt\" FROM timers WHERE \"DueAt\" <= @now ORDER BY \"DueAt\" LIMIT @max")
            .With("@now", UnixTime.Ms(now)).With("@max", Math.Max(0, max)), CallMode.Sync))
        .SyncResult();

    private static ValueTask<List<TimerRow>> ReadTimers(NpgsqlCommand command, CallMode mode) =>
        command.ReadAllAsync(mode, (NpgsqlDataReader reader) => new TimerRow(reader.GetString(0), reader.GetInt32(1), UnixTime.Time(reader.GetInt64(2))));

    /// <summary>
    /// Each row still there is deleted and becomes a TimerFired entry of its instance; a row fired
    /// already is skipped, so firing twice is harmless. Two processes firing the same row at once
    /// fire it once: the second waits for the first one's transaction (at the instance lock, or at the
    /// row) and then its DELETE … RETURNING returns nothing. Returns the rows deleted.
    /// </summary>
    /// <remarks>Two statements for the whole group: the lock, then one that deletes, delivers and counts.</remarks>
    public int FireTimers(IReadOnlyList<TimerRow> timers)
    {
        if (timers.Count == 0) return 0;
        var ids = timers.Select(t => t.InstanceId).Distinct().ToArray();
        return Write(s =>
        {
            LockInstances(s, ids);
            return Convert.ToInt32(s.Command($"""
                WITH fired AS (
                    DELETE FROM timers t USING unnest(@ids, @sequences) WITH ORDINALITY AS f(id, sequence, n)
                    WHERE t."InstanceId" = f.id AND t."Sequence" = f.sequence
                    RETURNING t."InstanceId", t."Sequence", f.n),
                ready AS (
                    UPDATE instances i SET "Ready" = TRUE, "ReadySince" = CASE WHEN i."Ready" AND i."ReadySince" IS NOT NULL THEN i."ReadySince" ELSE @now END
                    WHERE i."Id" IN (SELECT "InstanceId" FROM fired) AND i.{NotFinal}
                    RETURNING i."Id"),
                delivered AS (
                    INSERT INTO inbox ("InstanceId", "Kind", "Sequence", "CreatedAt")
                    SELECT fired."InstanceId", @kind, fired."Sequence", @now FROM fired JOIN ready ON ready."Id" = fired."InstanceId"
                    ORDER BY fired.n)
                SELECT COUNT(*) FROM fired
                """)
                .WithArray("@ids", NpgsqlDbType.Text, timers.Select(t => t.InstanceId).ToArray())
                .WithArray("@sequences", NpgsqlDbType.Integer, timers.Select(t => t.Sequence).ToArray())
                .With("@kind", StoredNames.Of(InboxKind.TimerFired)).With("@now", Now())
                .ExecuteScalar());
        });
    }
}
