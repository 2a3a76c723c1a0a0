using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>Activity tasks: claims with leases, attempts, outcomes.</summary>
internal sealed partial class WorkflowStore
{
    /// <summary>Claims free or expired tasks, oldest first, until [leaseUntil] (the runner renews it while the task runs); each claim counts an attempt (Attempts + 1).</summary>
    public IReadOnlyList<ActivityTask> ClaimActivities(string worker, int max, DateTime now, DateTime leaseUntil)
    {
        if (max <= 0) return [];
        return Transaction(writes: true, s =>
        {
            var tasks = new List<ActivityTask>();
            using (var reader = s.Command("""
                UPDATE activity_tasks SET LeaseOwner = @worker, LeaseExpiresAt = @until, Attempts = Attempts + 1
                WHERE Id IN (
                    SELECT free.Id FROM (
                        SELECT Id, InstanceId, ROW_NUMBER() OVER (PARTITION BY InstanceId ORDER BY Id) AS Place
                        FROM activity_tasks WHERE LeaseExpiresAt IS NULL OR LeaseExpiresAt <= @now) free
                    LEFT JOIN (SELECT InstanceId, COUNT(*) AS Running FROM activity_tasks WHERE LeaseExpiresAt > @now GROUP BY InstanceId) held
                        ON held.InstanceId = free.InstanceId
                    ORDER BY free.Place + COALESCE(held.Running, 0), free.Id LIMIT @max)
                RETURNING Id, InstanceId, Sequence, Name, ArgumentsJson, Retries, TimeoutSeconds, Attempts, LastError
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
    public bool RecordActivityAttempt(long taskId, string worker, int attempts, string error, DateTime leaseUntil) => Transaction(writes: true, s =>
        s.Command("UPDATE activity_tasks SET Attempts = @attempts, LastError = @error, LeaseExpiresAt = @until WHERE Id = @id AND LeaseOwner = @worker")
            .With("@id", taskId).With("@worker", worker).With("@attempts", attempts).With("@error", error).With("@until", UnixTime.Ms(leaseUntil))
            .ExecuteNonQuery() == 1);

    public IReadOnlyList<long> RenewActivityLeases(string worker, IReadOnlyList<long> taskIds, DateTime leaseUntil)
    {
        if (taskIds.Count == 0) return [];
        return Transaction(writes: true, s =>
        {
            var held = new List<long>(taskIds.Count);
            // One statement for any number of tasks: the ids travel as a JSON array.
            using var reader = s.Command("UPDATE activity_tasks SET LeaseExpiresAt = @until WHERE Id IN (SELECT value FROM json_each(@ids)) AND LeaseOwner = @worker RETURNING Id")
                .With("@ids", "[" + string.Join(",", taskIds) + "]").With("@worker", worker).With("@until", UnixTime.Ms(leaseUntil))
                .ExecuteReader();
            while (reader.Read()) held.Add(reader.GetInt64(0));
            return held;
        });
    }

    /// <summary>
    /// Per outcome whose task still exists: deletes the task and delivers ActivityCompleted (the
    /// result JSON) or ActivityFailed (the error) to its instance, unless that one is final. The
    /// instance and sequence delivered to are the task row's.
    /// </summary>
    public void CompleteActivities(IReadOnlyList<ActivityOutcome> outcomes)
    {
        if (outcomes.Count == 0) return;
        Transaction(writes: true, s =>
        {
            var now = Now();
            foreach (var outcome in outcomes)
            {
                string instanceId;
                int sequence, attempts;
                using (var reader = s.Command("DELETE FROM activity_tasks WHERE Id = @id RETURNING InstanceId, Sequence, Attempts").With("@id", outcome.TaskId).ExecuteReader())
                {
                    if (!reader.Read()) continue;
                    instanceId = reader.GetString(0);
                    sequence = reader.GetInt32(1);
                    attempts = reader.GetInt32(2);
                }
                if (outcome.Succeeded) Deliver(s, instanceId, InboxKind.ActivityCompleted, sequence, null, outcome.ResultJson, now, attempts);
                else Deliver(s, instanceId, InboxKind.ActivityFailed, sequence, null, outcome.Error, now, attempts);
            }
            return 0;
        });
    }
}
