using Workflow.Pickling;
using Workflow.Runtime;
using Workflow.Values;

namespace Workflow.Durable;

/// <summary>
/// One turn of one instance (DESIGN.md "Durability rules"): rebuild the VM from the pickle (or start
/// the program), deliver the inbox, run every tasklet until all are blocked or main ends, and say
/// what to commit: the new pickle or the outcome, the inbox consumed, the work started.
/// </summary>
/// <remarks>
/// Nothing here touches the database: the worker commits the returned TurnCommit, grouped with
/// other instances' turns. A turn that cannot run (damaged pickle, missing program, an engine fault)
/// fails only its instance and keeps the pickle it had, for inspection.
/// </remarks>
internal static class Turn
{
    /// <summary>
    /// Runs the turn. In CommitMode.EveryAwait, [commitNow] is called with an intermediate commit
    /// after each await or channel operation and returns the row's new revision, or null when the
    /// instance was lost to another worker: the turn then stops and returns null.
    /// </summary>
    /// <remarks>
    /// Every commit carries its journal entry (JournalEntry): what it consumed, started and printed,
    /// how it ended, and how long it ran; [worker] is recorded as the one that ran it.
    /// </remarks>
    public static TurnCommit? Run(ClaimedInstance claimed, WorkflowProgram? program, TurnOptions options, TurnOutput output,
        Func<TurnCommit, long?>? commitNow = null, Action<string>? log = null, string? worker = null)
    {
        var instance = claimed.Instance;
        long revision = claimed.Revision;
        long consumed = claimed.Inbox.Count == 0 ? 0 : claimed.Inbox[^1].Id;
        var sinceCommit = System.Diagnostics.Stopwatch.StartNew();
        var journal = new JournalEntry(worker: worker);
        int journaled = 0;

        // Seals the journal entry of the commit being made and starts the next one's.
        JournalEntry Sealed()
        {
            // Entries the turn gives up on (a failure before or during delivery) are consumed too: the journal keeps what they carried.
            for (; journaled < claimed.Inbox.Count && consumed != 0; journaled++) journal.Consumed(claimed.Inbox[journaled], null, delivered: false);
            journal.Output(output.Take());
            journal.DurationMicros = (long)sinceCommit.Elapsed.TotalMicroseconds;
            var sealedEntry = journal;
            journal = new JournalEntry(worker: worker);
            sinceCommit.Restart();
            return sealedEntry;
        }

        TurnCommit Fail(string error, string summary, byte[]? keep = null)
        {
            journal.Error(error);
            return new TurnCommit
            {
                InstanceId = instance.Id,
                Revision = revision,
                Status = InstanceStatus.Failed,
                Error = error,
                ErrorSummary = summary,
                Pickle = keep,
                ConsumedThrough = consumed,
                Journal = Sealed(),
            };
        }

        if (program == null || program.HasErrors)
        {
            var why = program == null
                ? $"program version {instance.ProgramHash} of '{instance.Workflow}' is not in the database"
                : $"program version {instance.ProgramHash} of '{instance.Workflow}' does not compile:\n{string.Join("\n", program.Diagnostics)}";
            return Fail(why, "RuntimeError: " + why.Split('\n')[0], instance.Pickle);
        }

        bool firstTurn = instance.Pickle == null;
        if (firstTurn) journal.ConsumedStart(instance.InputJson);
        if (firstTurn && claimed.Inbox.Any(e => e.Kind == InboxKind.Cancel))
        {
            // Cancelled before it ever ran: there is nothing to unwind.
            const string cancelled = "CancelledError: the workflow was cancelled before it started";
            journal.Error(cancelled);
            return new TurnCommit
            {
                InstanceId = instance.Id,
                Revision = revision,
                Status = InstanceStatus.Cancelled,
                Error = cancelled,
                ErrorSummary = cancelled,
                ConsumedThrough = consumed,
                Journal = Sealed(),
            };
        }

        var interpreterOptions = options.Interpreter;
        if (options.CommitMode == CommitMode.EveryAwait && commitNow != null)
            interpreterOptions = interpreterOptions.StoppingAtSafePoints();

        Interpreter vm;
        try
        {
            if (firstTurn)
            {
                var input = instance.InputJson == null ? PyNone.Value : JsonValues.Parse(instance.InputJson);
                vm = program.NewInterpreter(output, interpreterOptions);
                vm.Start(program.Code!, input);
            }
            else
            {
                vm = Unpickler.Unpickle(instance.Pickle!, program.ProgramCode, output, interpreterOptions);
            }
            // After a rewind, new futures take numbers past every one used before it (see ClaimedInstance.SequenceFloor).
            if (vm.NextFutureSequence < claimed.SequenceFloor) vm.NextFutureSequence = claimed.SequenceFloor;
        }
        catch (PickleException e)
        {
            return Fail($"the instance's pickle cannot be read: {e.Message}", "PickleError: " + e.Message, instance.Pickle);
        }
        catch (FormatException e)
        {
            return Fail($"the instance's input is not JSON: {e.Message}", "ValueError: " + e.Message, instance.Pickle);
        }
        LimitRun(vm, options, claimed.BusyMicros);
        if (log != null) vm.UnobservedFailure = (t, e) => log($"instance {instance.Id}: {t} failed and nobody awaited it:\n{Traceback.Format(e)}");
        if (log != null) vm.UnraisableException = (t, e) => log($"instance {instance.Id}: {t}: exception ignored in a generator closed by its for loop:\n{Traceback.Format(e)}");

        try
        {
            foreach (var entry in claimed.Inbox)
            {
                bool delivered;
                PyFuture? settled;
                try
                {
                    (delivered, settled) = InboxDelivery.Deliver(vm, entry);
                }
                catch (FormatException e)
                {
                    // Payloads are checked where they enter (signals, activity results); one that still is not JSON is refused here.
                    return Fail($"inbox entry {entry.Id} ({entry.Kind}) carries a payload that is not JSON: {e.Message}", "ValueError: an inbox payload is not JSON", instance.Pickle);
                }
                journal.Consumed(entry, settled, delivered);
                journaled++;
                if (!delivered)
                    log?.Invoke($"instance {instance.Id}: {entry.Kind} for future {entry.Sequence} arrived after the future was settled or cancelled; dropped");
            }

            long committedOperations = vm.BlockingOperations;
            var ran = System.Diagnostics.Stopwatch.StartNew();
            ProgramOutcome? outcome;
            while ((outcome = vm.Continue()) == null)
            {
                if (vm.SliceEnded)
                {
                    // Fair turns: the slice is over with tasklets still runnable. Commit the instance as it
                    // stands, still ready, and count what it ran towards its budget.
                    long busy = Math.Max(1, claimed.BusyMicros + (long)ran.Elapsed.TotalMicroseconds);
                    return Commit(vm, instance, revision, consumed, InstanceStatus.Running, program.SourceHash, keepLease: false, options, journal, Sealed, busy);
                }
                // Commit-at-every-await: the VM stops at each safe point; commit after each await or channel operation.
                if (vm.BlockingOperations == committedOperations) continue;
                committedOperations = vm.BlockingOperations;
                var intermediate = Commit(vm, instance, revision, consumed, InstanceStatus.Waiting, program.SourceHash, keepLease: true, options, journal, Sealed);
                var next = commitNow!(intermediate);
                if (next == null) return null;
                revision = next.Value;
                consumed = 0;
                vm.Work.Clear();
            }
            return outcome.Status switch
            {
                ProgramStatus.Waiting => Commit(vm, instance, revision, consumed, InstanceStatus.Waiting, program.SourceHash, keepLease: false, options, journal, Sealed),
                ProgramStatus.Completed => Completed(vm, instance, revision, consumed, outcome, journal, Sealed),
                ProgramStatus.Cancelled => Ended(vm, instance, revision, consumed, InstanceStatus.Cancelled, outcome.ErrorText, outcome.ErrorSummary, journal, Sealed),
                _ => Ended(vm, instance, revision, consumed, InstanceStatus.Failed, outcome.ErrorText, outcome.ErrorSummary, journal, Sealed),
            };
        }
        catch (ExecutionLimitExceeded e)
        {
            return Fail(e.Message, "RuntimeError: execution limit exceeded", instance.Pickle);
        }
        catch (PickleTooLarge e)
        {
            return Fail($"the turn cannot be committed: {e.Message}; the previous pickle is kept", "RuntimeError: " + e.Message, instance.Pickle);
        }
        catch (PickleException e)
        {
            // The live state could not be pickled: an engine fault, reported like one.
            return Fail($"the instance's state cannot be pickled: {e.Message}", "PickleError: " + e.Message, instance.Pickle);
        }
    }

    /// <summary>
    /// A commit that fails the instance when its turn cannot be had at all (an engine fault, a commit
    /// the database refuses): its inbox is consumed (the journal keeps what it carried) and its
    /// previous pickle kept, for inspection.
    /// </summary>
    public static TurnCommit FailedWhole(ClaimedInstance claimed, string error, string summary, string? worker)
    {
        var journal = new JournalEntry(worker: worker);
        foreach (var entry in claimed.Inbox) journal.Consumed(entry, null, delivered: false);
        journal.Error(error);
        return new TurnCommit
        {
            InstanceId = claimed.Instance.Id,
            Revision = claimed.Revision,
            Status = InstanceStatus.Failed,
            Pickle = claimed.Instance.Pickle,
            Error = error,
            ErrorSummary = summary,
            ConsumedThrough = claimed.Inbox.Count == 0 ? 0 : claimed.Inbox[^1].Id,
            Journal = journal,
        };
    }

    /// <summary>
    /// Bounds the run: a slice (fair turns), and the wall-clock limit: what is left of the run budget
    /// when slicing ([busyMicros] already spent since the instance last blocked), or the turn's time limit.
    /// </summary>
    private static void LimitRun(Interpreter vm, TurnOptions options, long busyMicros)
    {
        if (options.Slice is not { } slice)
        {
            if (options.TimeLimit is { } limit) vm.LimitTime(limit);
            return;
        }
        vm.LimitSlice(slice);
        var spent = TimeSpan.FromMicroseconds(busyMicros);
        var left = options.RunBudget - spent;
        // A nested run (a sort's key function, say) cannot stop at its slice; the turn's time limit still holds it.
        if (options.TimeLimit is { } turnLimit && turnLimit < left) vm.LimitTime(turnLimit);
        else vm.LimitTime(left < TimeSpan.Zero ? TimeSpan.Zero : left, () => ExecutionLimitExceeded.RunBudget(options.RunBudget, options.RunBudget));
    }

    /// <summary>A commit of the instance as it stands: its pickle, and the work it started; [journal] is sealed by [seal] once it is complete.</summary>
    private static TurnCommit Commit(Interpreter vm, InstanceView instance, long revision, long consumed, InstanceStatus status, string hash, bool keepLease,
        TurnOptions options, JournalEntry journal, Func<JournalEntry> seal, long busyMicros = 0)
    {
        var pickle = Pickler.Pickle(vm, hash, maxBytes: options.MaxPickleBytes);
        var activities = vm.Work.Activities.ToArray();
        var timers = vm.Work.Timers.ToArray();
        var children = vm.Work.Children.ToArray();
        var cancelled = vm.Work.Cancelled.ToArray();
        journal.Started(instance.Id, activities, timers, children, cancelled);
        journal.WaitingFor(vm.AwaitedExternalFutures());
        return new TurnCommit
        {
            InstanceId = instance.Id,
            Revision = revision,
            Status = status,
            Pickle = pickle,
            BusyMicros = busyMicros,
            ConsumedThrough = consumed,
            Activities = activities,
            Timers = timers,
            Children = children,
            Cancelled = cancelled,
            KeepLease = keepLease,
            Journal = seal(),
        };
    }

    private static TurnCommit Completed(Interpreter vm, InstanceView instance, long revision, long consumed, ProgramOutcome outcome,
        JournalEntry journal, Func<JournalEntry> seal)
    {
        var result = outcome.Result ?? PyNone.Value;
        try
        {
            var json = result is PyNone ? null : JsonValues.DumpsData(result, "main's result");
            if (json != null && PayloadLimits.BytesOver(json, vm.Options.MaxPayloadBytes) is { } bytes)
            {
                var why = $"main's result is {ByteSizes.Describe(bytes)} of JSON, over the limit of {ByteSizes.Describe(vm.Options.MaxPayloadBytes)} for one payload (MaxPayloadBytes)";
                return Ended(vm, instance, revision, consumed, InstanceStatus.Failed, "ValueError: " + why, "ValueError: " + why, journal, seal);
            }
            return Ended(vm, instance, revision, consumed, InstanceStatus.Completed, null, null, journal, seal, json);
        }
        catch (ScriptError e)
        {
            return Ended(vm, instance, revision, consumed, InstanceStatus.Failed,
                $"main returned a value that is not JSON data:\n{Traceback.Format(e.Exception)}", Traceback.Summary(e.Exception), journal, seal);
        }
    }

    /// <summary>
    /// A final commit: no pickle (the instance will not resume), and none of the work the last turn
    /// started (nothing could receive its outcome); only the cancellations, so that the store calls off
    /// what earlier turns started.
    /// </summary>
    private static TurnCommit Ended(Interpreter vm, InstanceView instance, long revision, long consumed, InstanceStatus status,
        string? error, string? summary, JournalEntry journal, Func<JournalEntry> seal, string? resultJson = null)
    {
        var cancelled = vm.Work.Cancelled.ToArray();
        journal.Started(instance.Id, [], [], [], cancelled);
        if (status == InstanceStatus.Completed) journal.Result(resultJson);
        else journal.Error(error);
        return new TurnCommit
        {
            InstanceId = instance.Id,
            Revision = revision,
            Status = status,
            ResultJson = resultJson,
            Error = error,
            ErrorSummary = summary,
            ConsumedThrough = consumed,
            Cancelled = cancelled,
            Journal = seal(),
        };
    }
}

/// <summary>How turns run: the interpreter's limits (MaxTicks is per turn) and the commit mode.</summary>
internal sealed class TurnOptions
{
    public InterpreterOptions Interpreter { get; init; } = new();
    public CommitMode CommitMode { get; init; } = CommitMode.EveryTurn;
    /// <summary>Wall-clock time one turn may run before it fails its instance; null for no limit. TurnWorker sets half its lease.</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>
    /// Fair turns: how long a turn runs script before the instance, tasklets still runnable, is
    /// committed as it stands and other instances run; it goes on in a later turn. Null: a turn runs
    /// until every tasklet blocks (the behaviour before slices). The default value is 50 ms.
    /// </summary>
    public TimeSpan? Slice { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// With slices: how long an instance may run script without every tasklet blocking, across its
    /// slices, before it fails with ExecutionLimitExceeded. The default value is 10 seconds.
    /// </summary>
    public TimeSpan RunBudget { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest pickle a turn may commit; a larger state fails the instance and keeps its previous pickle. The default value is 16 MB.</summary>
    public long MaxPickleBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>What one turn may print (bytes of UTF-8); the rest is dropped with a note. The default value is 1 MB.</summary>
    public long MaxOutputBytes { get; init; } = 1L * 1024 * 1024;
}
