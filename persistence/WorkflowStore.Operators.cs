using Microsoft.Data.Sqlite;
using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>
/// An operator's acts on instances: terminate, rewind, fork. What each writes is decided in the
/// engine (Terminations, RewindPlan); this carries it out in one transaction.
/// </summary>
internal sealed partial class WorkflowStore
{
    protected override ValueTask<DeliveryResult> Terminate(string instanceId, string? reason, CallMode mode) => Transaction(writes: true, mode, s =>
    {
        var now = Now();
        string status;
        string? parentId;
        int parentSequence;
        using (var reader = s.Command("SELECT Status, ParentId, ParentSequence FROM instances WHERE Id = @id").With("@id", instanceId).ExecuteReader())
        {
            if (!reader.Read()) return ValueTask.FromResult(DeliveryResult.NotFound);
            (status, parentId, parentSequence) = (reader.GetString(0), reader.NullableString(1), reader.GetInt32(2));
        }
        if (StoredNames.IsFinal(StoredNames.Status(status))) return ValueTask.FromResult(DeliveryResult.AlreadyFinished);
        var next = new Queue<(string Id, string? Reason)>([(instanceId, reason)]);
        while (next.TryDequeue(out var item))
        {
            if (!TerminateOne(s, item.Id, item.Reason, now)) continue;
            var children = s.Command($"SELECT Id FROM instances WHERE ParentId = @id AND {StoredNames.NotFinal}").With("@id", item.Id)
                .ReadAllAsync(CallMode.Sync, (SqliteDataReader r) => r.GetString(0)).SyncResult();
            foreach (var child in children) next.Enqueue((child, Terminations.ParentReason(item.Id)));
        }
        if (parentId != null) Deliver(s, parentId, InboxKind.ChildFailed, parentSequence, null, Terminations.Error(reason), now);
        return ValueTask.FromResult(DeliveryResult.Accepted);
    });

    /// <summary>Ends one running instance as terminated, with its journal entry, and deletes its pending work; false when it had ended already.</summary>
    private static bool TerminateOne(SqliteSession s, string id, string? reason, long now)
    {
        int turn;
        byte[]? pickle;
        using (var reader = s.Command($"""
            UPDATE instances SET Status = @status, Error = @error, ErrorSummary = @error, ResultJson = NULL,
                Revision = Revision + 1, Turns = Turns + 1, Ready = 0, ReadySince = NULL, LeaseOwner = NULL, LeaseExpiresAt = NULL,
                BusyMicros = 0, UpdatedAt = @now
            WHERE Id = @id AND {StoredNames.NotFinal}
            RETURNING Turns, Pickle
            """).With("@id", id).With("@status", StoredNames.Of(InstanceStatus.Terminated)).With("@error", Terminations.Error(reason)).With("@now", now)
            .ExecuteReader())
        {
            if (!reader.Read()) return false;
            turn = reader.GetInt32(0);
            pickle = reader.IsDBNull(1) ? null : (byte[])reader[1];
        }
        InsertJournalEntry(s, id, turn, InstanceStatus.Terminated, pickle, Terminations.Journal(reason), now);
        s.Command("DELETE FROM timers WHERE InstanceId = @id").With("@id", id).ExecuteNonQuery();
        s.Command("DELETE FROM activity_tasks WHERE InstanceId = @id").With("@id", id).ExecuteNonQuery();
        s.Command("DELETE FROM inbox WHERE InstanceId = @id").With("@id", id).ExecuteNonQuery();
        return true;
    }

    protected override ValueTask<(RewindResult Result, IReadOnlyList<TimerRow> Timers)> Rewind(string instanceId, int expectedTurns, byte[] pickle, RewindPlan plan,
        CallMode mode) => Transaction(writes: true, mode, s =>
    {
        var now = Now();
        int turns;
        bool wasFinal;
        using (var reader = s.Command("SELECT Turns, Status FROM instances WHERE Id = @id").With("@id", instanceId).ExecuteReader())
        {
            if (!reader.Read()) return ValueTask.FromResult<(RewindResult, IReadOnlyList<TimerRow>)>((RewindResult.NotFound, []));
            (turns, wasFinal) = (reader.GetInt32(0), StoredNames.IsFinal(StoredNames.Status(reader.GetString(1))));
        }
        if (turns != expectedTurns) return ValueTask.FromResult<(RewindResult, IReadOnlyList<TimerRow>)>((RewindResult.Stale, []));
        // The row first: deliveries below go only to an instance that can run.
        var turn = Convert.ToInt32(s.Command("""
            UPDATE instances SET Status = @status, Pickle = @pickle, ResultJson = NULL, Error = NULL, ErrorSummary = NULL,
                Revision = Revision + 1, Turns = Turns + 1, Ready = 1, ReadySince = @now, LeaseOwner = NULL, LeaseExpiresAt = NULL, BusyMicros = 0,
                Paused = CASE WHEN @wasFinal THEN 0 ELSE Paused END, SequenceFloor = MAX(SequenceFloor, @floor), UpdatedAt = @now
            WHERE Id = @id
            RETURNING Turns
            """).With("@id", instanceId).With("@status", StoredNames.Of(plan.Status)).With("@pickle", pickle).With("@now", now)
            .With("@wasFinal", wasFinal).With("@floor", plan.SequenceFloor).ExecuteScalar());
        InsertJournalEntry(s, instanceId, turn, plan.Status, pickle, plan.Journal, now);
        foreach (var sequence in plan.CalledOff)
            foreach (var table in new[] { "timers", "activity_tasks", "inbox" })
                s.Command($"DELETE FROM {table} WHERE InstanceId = @id AND Sequence = @sequence").With("@id", instanceId).With("@sequence", sequence).ExecuteNonQuery();
        foreach (var child in plan.CancelledChildren) Deliver(s, child, InboxKind.Cancel, 0, null, null, now);
        foreach (var activity in plan.RestartedActivities) InsertActivity(s, instanceId, activity, now);
        var timers = InsertTimers(s, instanceId, plan.RestartedTimers, now);
        foreach (var (sequence, childId) in plan.RedeliveredChildren) RedeliverChildOutcome(s, instanceId, sequence, childId, now);
        if (plan.RequeuedSignals.Count > 0)
        {
            // Queued again ahead of the signals still waiting: those arrived later.
            var waiting = s.Command("SELECT Name, Payload FROM inbox WHERE InstanceId = @id AND Kind = @kind ORDER BY Id")
                .With("@id", instanceId).With("@kind", StoredNames.Of(InboxKind.Signal))
                .ReadAllAsync(CallMode.Sync, (SqliteDataReader r) => (Name: r.NullableString(0) ?? "", Payload: r.NullableString(1) ?? "null")).SyncResult();
            s.Command("DELETE FROM inbox WHERE InstanceId = @id AND Kind = @kind").With("@id", instanceId).With("@kind", StoredNames.Of(InboxKind.Signal)).ExecuteNonQuery();
            foreach (var (name, payload) in plan.RequeuedSignals.Concat(waiting))
                InsertInboxEntry(s, instanceId, InboxKind.Signal, 0, name, payload, now).ExecuteNonQuery();
        }
        return ValueTask.FromResult<(RewindResult, IReadOnlyList<TimerRow>)>((RewindResult.Applied, timers));
    });

    /// <summary>A child the rewound instance still waits for: if it has finished, its outcome is delivered again; if not, it will be.</summary>
    private static void RedeliverChildOutcome(SqliteSession s, string instanceId, int sequence, string childId, long now)
    {
        using var reader = s.Command("SELECT Status, ResultJson, ErrorSummary FROM instances WHERE Id = @child").With("@child", childId).ExecuteReader();
        if (!reader.Read()) return;
        var status = StoredNames.Status(reader.GetString(0));
        if (!status.IsFinal()) return;
        var (result, summary) = (reader.NullableString(1), reader.NullableString(2));
        reader.Close();
        if (status == InstanceStatus.Completed) Deliver(s, instanceId, InboxKind.ChildCompleted, sequence, null, result, now);
        else Deliver(s, instanceId, InboxKind.ChildFailed, sequence, null, summary ?? ChildInstances.DefaultSummary(status), now);
    }

    private static List<TimerRow> InsertTimers(SqliteSession s, string instanceId, IEnumerable<TimerRequest> timers, long now)
    {
        var rows = new List<TimerRow>();
        foreach (var timer in timers)
        {
            s.Command("INSERT INTO timers (InstanceId, Sequence, DueAt, CreatedAt) VALUES (@id, @sequence, @due, @now) ON CONFLICT DO NOTHING")
                .With("@id", instanceId).With("@sequence", timer.Sequence).With("@due", UnixTime.Ms(timer.DueAt)).With("@now", now).ExecuteNonQuery();
            rows.Add(new TimerRow(instanceId, timer.Sequence, timer.DueAt));
        }
        return rows;
    }

    protected override ValueTask<(bool Created, IReadOnlyList<TimerRow> Timers)> StartFork(NewInstance fork, byte[] pickle, RewindPlan plan, CallMode mode) =>
        Transaction(writes: true, mode, s =>
        {
            var now = Now();
            var created = s.Command("""
                INSERT INTO instances (Id, Workflow, ProgramHash, Status, InputJson, Pickle, ParentSequence, Ready, ReadySince, Turns, Revision, CreatedAt, UpdatedAt)
                VALUES (@id, @workflow, @hash, @status, @input, @pickle, 0, 1, @now, 1, 0, @now, @now)
                ON CONFLICT (Id) DO NOTHING
                """).With("@id", fork.Id).With("@workflow", fork.Workflow).With("@hash", fork.ProgramHash).With("@status", StoredNames.Of(plan.Status))
                .With("@input", fork.InputJson).With("@pickle", pickle).With("@now", now).ExecuteNonQuery() == 1;
            if (!created) return ValueTask.FromResult<(bool, IReadOnlyList<TimerRow>)>((false, []));
            InsertJournalEntry(s, fork.Id, 1, plan.Status, pickle, plan.Journal, now);
            foreach (var activity in plan.RestartedActivities) InsertActivity(s, fork.Id, activity, now);
            var timers = InsertTimers(s, fork.Id, plan.RestartedTimers, now);
            var latestPrograms = new Dictionary<string, string?>();
            foreach (var child in plan.RestartedChildren) StartChild(s, fork.Id, child, now, latestPrograms);
            return ValueTask.FromResult<(bool, IReadOnlyList<TimerRow>)>((true, timers));
        });
}
