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
            // trunc() so that the lease matches SQLite's CAST(... AS INTEGER), which truncates; a
            // PostgreSQL cast to bigint would round.
            using (var reader = s.Command("""
                WITH picked AS (
                    SELECT "Id" FROM activity_tasks
                    WHERE "LeaseExpiresAt" IS NULL OR "LeaseExpiresAt" <= @now
                    ORDER BY "Id" LIMIT @max
                    FOR UPDATE SKIP LOCKED)
                UPDATE activity_tasks t SET
                    "LeaseOwner" = @worker,
                    "LeaseExpiresAt" = GREATEST(@until, @now + CAST(trunc(COALESCE(t."TimeoutSeconds", 0) * 2000) AS bigint)),
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

    /// <summary>Stores the attempt count and last error, and extends the lease to [leaseUntil] for the next attempt.</summary>
    public void RecordActivityAttempt(long taskId, int attempts, string error, DateTime leaseUntil) => Write(s =>
        s.Command("UPDATE activity_tasks SET \"Attempts\" = @attempts, \"LastError\" = @error, \"LeaseExpiresAt\" = @until WHERE \"Id\" = @id")
            .With("@id", taskId).With("@attempts", attempts).With("@error", error).With("@until", UnixTime.Ms(leaseUntil))
            .ExecuteNonQuery());

    /// <summary>
    /// Per outcome whose task still exists: deletes the task and delivers ActivityCompleted (the
    /// result JSON) or ActivityFailed (the error) to its instance, unless that one is final. The
    /// instance and sequence delivered to are the task row's. Two workers completing the same task
    /// deliver once: the second one's DELETE waits for the first and then finds no row.
    /// </summary>
    public void CompleteActivities(IReadOnlyList<ActivityOutcome> outcomes)
    {
        if (outcomes.Count == 0) return;
        // The outcomes' instances as their workers name them: only the lock order depends on it, the
        // deliveries go to the task rows' instances.
        var ids = outcomes.Select(o => o.InstanceId).Distinct().ToArray();
        Write(s =>
        {
            LockInstances(s, ids);
            var now = Now();
            foreach (var outcome in outcomes)
            {
                string instanceId;
                int sequence;
                using (var reader = s.Command("DELETE FROM activity_tasks WHERE \"Id\" = @id RETURNING \"InstanceId\", \"Sequence\"").With("@id", outcome.TaskId).ExecuteReader())
                {
                    if (!reader.Read()) continue;
                    instanceId = reader.GetString(0);
                    sequence = reader.GetInt32(1);
                }
                if (outcome.Succeeded) Deliver(s, instanceId, InboxKind.ActivityCompleted, sequence, null, outcome.ResultJson, now);
                else Deliver(s, instanceId, InboxKind.ActivityFailed, sequence, null, outcome.Error, now);
            }
            return 0;
        });
    }
}
