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
    public static TurnCommit? Run(ClaimedInstance claimed, WorkflowProgram? program, TurnOptions options, TextWriter output,
        Func<TurnCommit, long?>? commitNow = null, Action<string>? log = null)
    {
        var instance = claimed.Instance;
        long revision = claimed.Revision;
        long consumed = claimed.Inbox.Count == 0 ? 0 : claimed.Inbox[^1].Id;
        TurnCommit Fail(string error, string summary, byte[]? keep = null) => new()
        {
            InstanceId = instance.Id,
            Revision = revision,
            Status = InstanceStatus.Failed,
            Error = error,
            ErrorSummary = summary,
            Pickle = keep,
            ConsumedThrough = consumed,
        };

        if (program == null || program.HasErrors)
        {
            var why = program == null
                ? $"program version {instance.ProgramHash} of '{instance.Workflow}' is not in the database"
                : $"program version {instance.ProgramHash} of '{instance.Workflow}' does not compile:\n{string.Join("\n", program.Diagnostics)}";
            return Fail(why, "RuntimeError: " + why.Split('\n')[0], instance.Pickle);
        }

        bool firstTurn = instance.Pickle == null;
        if (firstTurn && claimed.Inbox.Any(e => e.Kind == InboxKind.Cancel))
        {
            // Cancelled before it ever ran: there is nothing to unwind.
            return new TurnCommit
            {
                InstanceId = instance.Id,
                Revision = revision,
                Status = InstanceStatus.Cancelled,
                Error = "CancelledError: the workflow was cancelled before it started",
                ErrorSummary = "CancelledError: the workflow was cancelled before it started",
                ConsumedThrough = consumed,
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
                try
                {
                    delivered = vm.Deliver(entry);
                }
                catch (FormatException e)
                {
                    // Payloads are checked where they enter (signals, activity results); one that still is not JSON is refused here.
                    return Fail($"inbox entry {entry.Id} ({entry.Kind}) carries a payload that is not JSON: {e.Message}", "ValueError: an inbox payload is not JSON", instance.Pickle);
                }
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
                    return Commit(vm, instance, revision, consumed, InstanceStatus.Running, program.SourceHash, keepLease: false, options, busy);
                }
                // Commit-at-every-await: the VM stops at each safe point; commit after each await or channel operation.
                if (vm.BlockingOperations == committedOperations) continue;
                committedOperations = vm.BlockingOperations;
                var intermediate = Commit(vm, instance, revision, consumed, InstanceStatus.Waiting, program.SourceHash, keepLease: true, options);
                var next = commitNow!(intermediate);
                if (next == null) return null;
                revision = next.Value;
                consumed = 0;
                vm.Work.Clear();
            }
            return outcome.Status switch
            {
                ProgramStatus.Waiting => Commit(vm, instance, revision, consumed, InstanceStatus.Waiting, program.SourceHash, keepLease: false, options),
                ProgramStatus.Completed => Completed(vm, instance, revision, consumed, outcome),
                ProgramStatus.Cancelled => Ended(vm, instance, revision, consumed, InstanceStatus.Cancelled, outcome.ErrorText, outcome.ErrorSummary),
                _ => Ended(vm, instance, revision, consumed, InstanceStatus.Failed, outcome.ErrorText, outcome.ErrorSummary),
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

    private static TurnCommit Commit(Interpreter vm, InstanceView instance, long revision, long consumed, InstanceStatus status, string hash, bool keepLease,
        TurnOptions options, long busyMicros = 0) => new()
    {
        InstanceId = instance.Id,
        Revision = revision,
        Status = status,
        Pickle = Pickler.Pickle(vm, hash, maxBytes: options.MaxPickleBytes),
        BusyMicros = busyMicros,
        ConsumedThrough = consumed,
        Activities = vm.Work.Activities.ToArray(),
        Timers = vm.Work.Timers.ToArray(),
        Children = vm.Work.Children.ToArray(),
        Cancelled = vm.Work.Cancelled.ToArray(),
        KeepLease = keepLease,
    };

    private static TurnCommit Completed(Interpreter vm, InstanceView instance, long revision, long consumed, ProgramOutcome outcome)
    {
        var result = outcome.Result ?? PyNone.Value;
        try
        {
            var json = result is PyNone ? null : JsonValues.DumpsData(result, "main's result");
            if (json != null && PayloadLimits.BytesOver(json, vm.Options.MaxPayloadBytes) is { } bytes)
            {
                var why = $"main's result is {ByteSizes.Describe(bytes)} of JSON, over the limit of {ByteSizes.Describe(vm.Options.MaxPayloadBytes)} for one payload (MaxPayloadBytes)";
                return Ended(vm, instance, revision, consumed, InstanceStatus.Failed, "ValueError: " + why, "ValueError: " + why);
            }
            return Ended(vm, instance, revision, consumed, InstanceStatus.Completed, null, null, json);
        }
        catch (ScriptError e)
        {
            return Ended(vm, instance, revision, consumed, InstanceStatus.Failed,
                $"main returned a value that is not JSON data:\n{Traceback.Format(e.Exception)}", Traceback.Summary(e.Exception));
        }
    }

    /// <summary>
    /// A final commit: no pickle (the instance will not resume), and none of the work the last turn
    /// started (nothing could receive its outcome); only the cancellations, so that the store calls off
    /// what earlier turns started.
    /// </summary>
    private static TurnCommit Ended(Interpreter vm, InstanceView instance, long revision, long consumed, InstanceStatus status,
        string? error, string? summary, string? resultJson = null) => new()
    {
        InstanceId = instance.Id,
        Revision = revision,
        Status = status,
        ResultJson = resultJson,
        Error = error,
        ErrorSummary = summary,
        ConsumedThrough = consumed,
        Cancelled = vm.Work.Cancelled.ToArray(),
    };
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
