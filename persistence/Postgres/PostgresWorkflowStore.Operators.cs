using Npgsql;
using NpgsqlTypes;
using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>
/// An operator's acts on instances: terminate, rewind, fork. What each writes is decided in the
/// engine (Terminations, RewindPlan); this carries it out in one transaction. The instance's row is
/// locked first (FOR UPDATE), as every write to it here does, so a delivery or a commit in flight
/// waits for the act, or the act for it.
/// </summary>
internal sealed partial class PostgresWorkflowStore
{
    protected override ValueTask<DeliveryResult> Terminate(string instanceId, string? reason, CallMode mode) => Write(mode, async s =>
    {
        var now = Now();
        var root = await s.Command("SELECT \"Status\", \"ParentId\", \"ParentSequence\" FROM instances WHERE \"Id\" = @id FOR UPDATE").With("@id", instanceId)
            .ReadFirstAsync(mode, (NpgsqlDataReader r) => (Status: r.GetString(0), ParentId: r.NullableString(1), ParentSequence: r.GetInt32(2)));
        if (root.Status == null) return DeliveryResult.NotFound;
        if (StoredNames.IsFinal(StoredNames.Status(root.Status))) return DeliveryResult.AlreadyFinished;
        var next = new Queue<(string Id, string? Reason)>([(instanceId, reason)]);
        while (next.TryDequeue(out var item))
        {
            if (!await TerminateOne(s, item.Id, item.Reason, now, mode)) continue;
            var children = await s.Command($"SELECT \"Id\" FROM instances WHERE \"ParentId\" = @id AND {NotFinal} ORDER BY \"Id\" COLLATE \"C\" FOR UPDATE")
                .With("@id", item.Id).ReadAllAsync(mode, (NpgsqlDataReader r) => r.GetString(0));
            foreach (var child in children) next.Enqueue((child, Terminations.ParentReason(item.Id)));
        }
        if (root.ParentId != null) Deliver(s, root.ParentId, InboxKind.ChildFailed, root.ParentSequence, null, Terminations.Error(reason), now);
        return DeliveryResult.Accepted;
    });

    /// <summary>Ends one running instance as terminated, with its journal entry, and deletes its pending work; false when it had ended already.</summary>
    private static async ValueTask<bool> TerminateOne(PostgresSession s, string id, string? reason, long now, CallMode mode)
    {
        await s.FlushAsync();
        var row = await s.Command($"""
            UPDATE instances SET "Status" = @status, "Error" = @error, "ErrorSummary" = @error, "ResultJson" = NULL,
                "Revision" = "Revision" + 1, "Turns" = "Turns" + 1, "Ready" = FALSE, "ReadySince" = NULL, "LeaseOwner" = NULL, "LeaseExpiresAt" = NULL,
                "BusyMicros" = 0, "UpdatedAt" = @now
            WHERE "Id" = @id AND {NotFinal}
            RETURNING "Turns", "Pickle"
            """).With("@id", id).With("@status", StoredNames.Of(InstanceStatus.Terminated)).With("@error", Terminations.Error(reason)).With("@now", now)
            .ReadFirstAsync(mode, (NpgsqlDataReader r) => (Found: true, Turn: r.GetInt32(0), Pickle: r.IsDBNull(1) ? null : (byte[])r[1]));
        if (!row.Found) return false;
        QueueJournalEntry(s, id, row.Turn, InstanceStatus.Terminated, row.Pickle, Terminations.Journal(reason), now);
        s.Queue("DELETE FROM timers WHERE \"InstanceId\" = @id").With("@id", id);
        s.Queue("DELETE FROM activity_tasks WHERE \"InstanceId\" = @id").With("@id", id);
        s.Queue("DELETE FROM inbox WHERE \"InstanceId\" = @id").With("@id", id);
        await s.FlushAsync();
        return true;
    }

    /// <summary>Queues the journal's entry [turn] of [instanceId], as CommitTurns writes a commit's (WriteWave).</summary>
    private static void QueueJournalEntry(PostgresSession s, string instanceId, int turn, InstanceStatus status, byte[]? pickle, JournalEntry journal, long now) =>
        s.Queue("""
            INSERT INTO journal ("InstanceId", "Turn", "Kind", "At", "Worker", "DurationMicros", "Status", "Entry", "PickleBytes", "Pickle")
            VALUES (@id, @turn, @kind, @now, @worker, @duration, @status, @entry, @bytes, @pickle)
            """)
            .With("@id", instanceId).With("@turn", turn).With("@kind", journal.Kind).With("@now", now).With("@worker", journal.Worker)
            .With("@duration", journal.DurationMicros).With("@status", StoredNames.Of(status)).With("@entry", journal.Json)
            .With("@bytes", pickle?.Length ?? 0).With("@pickle", pickle);

    protected override ValueTask<(RewindResult Result, IReadOnlyList<TimerRow> Timers)> Rewind(string instanceId, int expectedTurns, byte[] pickle, RewindPlan plan,
        CallMode mode) => Write(mode, async s =>
    {
        var now = Now();
        var row = await s.Command("SELECT \"Turns\", \"Status\" FROM instances WHERE \"Id\" = @id FOR UPDATE").With("@id", instanceId)
            .ReadFirstAsync(mode, (NpgsqlDataReader r) => (Found: true, Turns: r.GetInt32(0), Status: r.GetString(1)));
        if (!row.Found) return ((RewindResult, IReadOnlyList<TimerRow>))(RewindResult.NotFound, []);
        if (row.Turns != expectedTurns) return (RewindResult.Stale, []);
        bool wasFinal = StoredNames.IsFinal(StoredNames.Status(row.Status));
        // The row first: deliveries below go only to an instance that can run.
        s.Queue("""
            UPDATE instances SET "Status" = @status, "Pickle" = @pickle, "ResultJson" = NULL, "Error" = NULL, "ErrorSummary" = NULL,
                "Revision" = "Revision" + 1, "Turns" = "Turns" + 1, "Ready" = TRUE, "ReadySince" = @now, "LeaseOwner" = NULL, "LeaseExpiresAt" = NULL,
                "BusyMicros" = 0, "Paused" = CASE WHEN @wasFinal THEN FALSE ELSE "Paused" END, "SequenceFloor" = GREATEST("SequenceFloor", @floor), "UpdatedAt" = @now
            WHERE "Id" = @id
            """).With("@id", instanceId).With("@status", StoredNames.Of(plan.Status)).With("@pickle", pickle).With("@now", now)
            .With("@wasFinal", wasFinal).With("@floor", plan.SequenceFloor);
        QueueJournalEntry(s, instanceId, row.Turns + 1, plan.Status, pickle, plan.Journal, now);
        if (plan.CalledOff.Count > 0)
            foreach (var table in new[] { "timers", "activity_tasks", "inbox" })
                s.Queue($"DELETE FROM {table} WHERE \"InstanceId\" = @id AND \"Sequence\" = ANY(@sequences)").With("@id", instanceId)
                    .WithArray("@sequences", NpgsqlDbType.Integer, plan.CalledOff.ToArray());
        foreach (var child in plan.CancelledChildren) Deliver(s, child, InboxKind.Cancel, 0, null, null, now);
        foreach (var activity in plan.RestartedActivities) QueueActivity(s, instanceId, activity, now);
        var timers = QueueTimers(s, instanceId, plan.RestartedTimers, now);
        await s.FlushAsync();
        foreach (var (sequence, childId) in plan.RedeliveredChildren)
        {
            var child = await s.Command("SELECT \"Status\", \"ResultJson\", \"ErrorSummary\" FROM instances WHERE \"Id\" = @child").With("@child", childId)
                .ReadFirstAsync(mode, (NpgsqlDataReader r) => (Status: r.GetString(0), Result: r.NullableString(1), Summary: r.NullableString(2)));
            if (child.Status == null || !StoredNames.Status(child.Status).IsFinal()) continue;
            var status = StoredNames.Status(child.Status);
            if (status == InstanceStatus.Completed) Deliver(s, instanceId, InboxKind.ChildCompleted, sequence, null, child.Result, now);
            else Deliver(s, instanceId, InboxKind.ChildFailed, sequence, null, child.Summary ?? ChildInstances.DefaultSummary(status), now);
        }
        if (plan.RequeuedSignals.Count > 0)
        {
            await s.FlushAsync();
            // Queued again ahead of the signals still waiting: those arrived later.
            var waiting = await s.Command("DELETE FROM inbox WHERE \"InstanceId\" = @id AND \"Kind\" = @kind RETURNING \"Id\", \"Name\", \"Payload\"")
                .With("@id", instanceId).With("@kind", StoredNames.Of(InboxKind.Signal))
                .ReadAllAsync(mode, (NpgsqlDataReader r) => (Id: r.GetInt64(0), Name: r.NullableString(1) ?? "", Payload: r.NullableString(2) ?? "null"));
            foreach (var (name, payload) in plan.RequeuedSignals.Concat(waiting.OrderBy(w => w.Id).Select(w => (w.Name, w.Payload))))
                Deliver(s, instanceId, InboxKind.Signal, 0, name, payload, now);
        }
        return (RewindResult.Applied, timers);
    });

    private static void QueueActivity(PostgresSession s, string instanceId, ActivityRequest activity, long now) =>
        s.Queue("""
            INSERT INTO activity_tasks ("InstanceId", "Sequence", "Name", "ArgumentsJson", "Retries", "TimeoutSeconds", "Attempts", "CreatedAt")
            VALUES (@id, @sequence, @name, @arguments, @retries, @timeout, 0, @now)
            ON CONFLICT DO NOTHING
            """)
            .With("@id", instanceId).With("@sequence", activity.Sequence).With("@name", activity.Name).With("@arguments", activity.ArgumentsJson)
            .With("@retries", activity.Retries).With("@timeout", activity.TimeoutSeconds).With("@now", now);

    private static List<TimerRow> QueueTimers(PostgresSession s, string instanceId, IEnumerable<TimerRequest> timers, long now)
    {
        var rows = new List<TimerRow>();
        foreach (var timer in timers)
        {
            s.Queue("INSERT INTO timers (\"InstanceId\", \"Sequence\", \"DueAt\", \"CreatedAt\") VALUES (@id, @sequence, @due, @now) ON CONFLICT DO NOTHING")
                .With("@id", instanceId).With("@sequence", timer.Sequence).With("@due", UnixTime.Ms(timer.DueAt)).With("@now", now);
            rows.Add(new TimerRow(instanceId, timer.Sequence, timer.DueAt));
        }
        return rows;
    }

    protected override ValueTask<(bool Created, IReadOnlyList<TimerRow> Timers)> StartFork(NewInstance fork, byte[] pickle, RewindPlan plan, CallMode mode) =>
        Write(mode, async s =>
        {
            var now = Now();
            var insert = s.Queue("""
                INSERT INTO instances ("Id", "Workflow", "ProgramHash", "Status", "InputJson", "Pickle", "ParentSequence", "Ready", "ReadySince", "Turns", "Revision", "CreatedAt", "UpdatedAt")
                VALUES (@id, @workflow, @hash, @status, @input, @pickle, 0, TRUE, @now, 1, 0, @now, @now)
                ON CONFLICT ("Id") DO NOTHING
                """).With("@id", fork.Id).With("@workflow", fork.Workflow).With("@hash", fork.ProgramHash).With("@status", StoredNames.Of(plan.Status))
                .With("@input", fork.InputJson).With("@pickle", pickle).With("@now", now);
            await s.FlushAsync();
            if (insert.RecordsAffected != 1) return ((bool, IReadOnlyList<TimerRow>))(false, []);
            QueueJournalEntry(s, fork.Id, 1, plan.Status, pickle, plan.Journal, now);
            foreach (var activity in plan.RestartedActivities) QueueActivity(s, fork.Id, activity, now);
            var timers = QueueTimers(s, fork.Id, plan.RestartedTimers, now);
            await s.FlushAsync();
            var hashes = CurrentHashes(s, plan.RestartedChildren.Select(c => c.Workflow).Distinct().ToArray());
            foreach (var child in plan.RestartedChildren) StartChild(s, fork.Id, child, now, hashes[child.Workflow]);
            return (true, timers);
        });
}
