using NpgsqlTypes;
using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>Activity tasks: claims with leases, attempts, outcomes.</summary>
internal sealed partial class PostgresWorkflowStore
{
    /// <summary>
    /// Claims free or expired tasks, oldest first; each claim counts an attempt (Attempts + 1). Tasks
    /// another worker is claiming or completing right now are skipped (SKIP LOCKED), not waited for.
    /// </summary>
    public IReadOnlyList<ActivityTask> ClaimActivities(string worker, int max, DateTime now, DateTime leaseUntil)
    {
        if (max <= 0) return [];
        return Write(s =>
        {
            var tasks = new List<ActivityTask>();
            using (var reader = s.Command("""
                WITH fair AS (
                    SELECT free."Id" FROM (
                        SELECT "Id", "InstanceId", ROW_NUMBER() OVER (PARTITION BY "InstanceId" ORDER BY "Id") AS place
                        FROM activity_tasks WHERE "LeaseExpiresAt" IS NULL OR "LeaseExpiresAt" <= @now) free
                    LEFT JOIN (SELECT "InstanceId", COUNT(*) AS running FROM activity_tasks WHERE "LeaseExpiresAt" > @now GROUP BY "InstanceId") held
                        ON held."InstanceId" = free."InstanceId"
                    ORDER BY free.place + COALESCE(held.running, 0), free."Id" LIMIT @max),
                picked AS (
                    SELECT "Id" FROM activity_tasks
                    WHERE "Id" IN (SELECT "Id" FROM fair) AND ("LeaseExpiresAt" IS NULL OR "LeaseExpiresAt" <= @now)
                    FOR UPDATE SKIP LOCKED)
                UPDATE activity_tasks t SET
                    "LeaseOwner" = @worker,
                    "LeaseExpiresAt" = @until,
                    "Attempts" = t."Attempts" + 1
                FROM picked WHERE t."Id" = picked."Id"
                RETURNING t."Id", t."InstanceId", t."Sequence", t."Name", t."ArgumentsJson", t."Retries", t."TimeoutSeconds", t."Attempts", t."LastError"
                """).With("@worker", worker).With("@until", UnixTime.Ms(leaseUntil)).With("@now", UnixTime.Ms(now)).With("@max", max)
                .ExecuteReader())
            {
                while (reader.Read())
                    tasks.Add(new ActivityTask(
                        reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3), reader.GetString(4),
                        reader.IsDBNull(5) ? null : reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetDouble(6),
                        reader.GetInt32(7), reader.NullableString(8)));
            }
            tasks.Sort((a, b) => a.Id.CompareTo(b.Id));
            return tasks;
        });
    }

    /// <summary>Stores the attempt count and last error, and extends the lease to [leaseUntil] for the next attempt, while [worker] holds the task.</summary>
    public bool RecordActivityAttempt(long taskId, string worker, int attempts, string error, DateTime leaseUntil) => Write(s =>
        s.Command("UPDATE activity_tasks SET \"Attempts\" = @attempts, \"LastError\" = @error, \"LeaseExpiresAt\" = @until WHERE \"Id\" = @id AND \"LeaseOwner\" = @worker")
            .With("@id", taskId).With("@worker", worker).With("@attempts", attempts).With("@error", error).With("@until", UnixTime.Ms(leaseUntil))
            .ExecuteNonQuery() == 1);

    public IReadOnlyList<long> RenewActivityLeases(string worker, IReadOnlyList<long> taskIds, DateTime leaseUntil)
    {
        if (taskIds.Count == 0) return [];
        return Write(s =>
        {
            var held = new List<long>(taskIds.Count);
            using var reader = s.Command("UPDATE activity_tasks SET \"LeaseExpiresAt\" = @until WHERE \"Id\" = ANY(@ids) AND \"LeaseOwner\" = @worker RETURNING \"Id\"")
                .WithArray("@ids", NpgsqlDbType.Bigint, taskIds.ToArray()).With("@worker", worker).With("@until", UnixTime.Ms(leaseUntil))
                .ExecuteReader();
            while (reader.Read()) held.Add(reader.GetInt64(0));
            return held;
        });
    }

    /// <summary>
    /// Per outcome whose task still exists: deletes the task and delivers ActivityCompleted (the
    /// result JSON) or ActivityFailed (the error) to its instance, unless that one is final. The
    /// instance and sequence delivered to are the task row's. Two workers completing the same task
    /// deliver once: the second one's DELETE waits for the first and then finds no row.
    /// </summary>
    /// <remarks>
    /// Two statements for the whole group: the lock, then one statement that deletes the tasks,
    /// makes their instances ready and inserts the entries, in the outcomes' order.
    /// </remarks>
    public void CompleteActivities(IReadOnlyList<ActivityOutcome> outcomes)
    {
        if (outcomes.Count == 0) return;
        // The outcomes' instances as their workers name them: only the lock order depends on it, the
        // deliveries go to the task rows' instances.
        var ids = outcomes.Select(o => o.InstanceId).Distinct().ToArray();
        Write(s =>
        {
            LockInstances(s, ids);
            s.Queue($"""
                WITH task AS (
                    DELETE FROM activity_tasks t USING unnest(@tasks, @kinds, @payloads) WITH ORDINALITY AS o(id, kind, payload, n)
                    WHERE t."Id" = o.id
                    RETURNING t."InstanceId", t."Sequence", t."Attempts", o.kind, o.payload, o.n),
                ready AS (
                    UPDATE instances i SET "Ready" = TRUE, "ReadySince" = CASE WHEN i."Ready" AND i."ReadySince" IS NOT NULL THEN i."ReadySince" ELSE @now END
                    WHERE i."Id" IN (SELECT "InstanceId" FROM task) AND i.{NotFinal}
                    RETURNING i."Id")
                INSERT INTO inbox ("InstanceId", "Kind", "Sequence", "Payload", "Attempts", "CreatedAt")
                SELECT task."InstanceId", task.kind, task."Sequence", task.payload, task."Attempts", @now FROM task JOIN ready ON ready."Id" = task."InstanceId"
                ORDER BY task.n
                """)
                .WithArray("@tasks", NpgsqlDbType.Bigint, outcomes.Select(o => o.TaskId).ToArray())
                .WithArray("@kinds", NpgsqlDbType.Text, outcomes.Select(o => StoredNames.Of(o.Succeeded ? InboxKind.ActivityCompleted : InboxKind.ActivityFailed)).ToArray())
                .WithArray("@payloads", NpgsqlDbType.Text, outcomes.Select(o => o.Succeeded ? o.ResultJson : o.Error).ToArray())
                .With("@now", Now());
            return 0;
        });
    }
}
