using Workflow.Durable;
using Workflow.Runtime;

namespace Workflow.Tests.Durable;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// Drives one instance through Turn.Run the way the durable runtime does (pickle between turns,
/// inbox entries delivered in order, commits collected) without a database: the engine's half of
/// the runtime, tested on its own. The store's half has its own tests on real SQLite files.
/// </summary>
internal sealed class TurnDriver
{
    private readonly WorkflowProgram _program;
    private InstanceView _instance;
    private long _revision = 1;
    private long _nextInboxId = 1;
    private readonly List<InboxEntry> _inbox = new();
    public readonly ManualClock Clock = new();
    public readonly StringWriter Output = new();
    public readonly List<TurnCommit> Commits = new();
    public CommitMode Mode = CommitMode.EveryTurn;
    public TimeSpan? TimeLimit;
    public int IntermediateCommits;
    /// <summary>
    /// The turn options' slice (fair turns). Null by default: a slice is wall-clock time, and the
    /// tests of what a turn does must not depend on how fast the machine runs it (slices have tests of their own).
    /// </summary>
    public TimeSpan? Slice;
    public TimeSpan RunBudget = new TurnOptions().RunBudget;
    public long MaxPickleBytes = new TurnOptions().MaxPickleBytes;
    /// <summary>The interpreter's options (its clock is replaced by this driver's).</summary>
    public InterpreterOptions Interpreter = new();
    private long _busyMicros;

    public TurnDriver(string source, string? inputJson = null)
    {
        _program = WorkflowProgram.Compile(source, "test.wf");
        Assert.False(_program.HasErrors, string.Join("\n", _program.Diagnostics));
        _instance = new InstanceView("i1", "test", _program.SourceHash, InstanceStatus.Running, inputJson, null, null, null, null, 0, DateTime.UtcNow, DateTime.UtcNow);
    }

    public TurnCommit Last => Commits[^1];

    public void Send(InboxKind kind, int sequence = 0, string? name = null, string? payload = null, int? attempts = null) =>
        _inbox.Add(new InboxEntry(_nextInboxId++, kind, sequence, name, payload, attempts));

    /// <summary>The claim's sequence floor (what a rewind sets).</summary>
    public int SequenceFloor;

    /// <summary>Runs one turn over the inbox and applies its commit.</summary>
    public TurnCommit Turn()
    {
        var claimed = new ClaimedInstance(_instance, _revision, _inbox.ToArray(), _busyMicros, SequenceFloor);
        Interpreter.Clock = Clock;
        var options = new TurnOptions
        {
            Interpreter = Interpreter, CommitMode = Mode, TimeLimit = TimeLimit,
            Slice = Slice, RunBudget = RunBudget, MaxPickleBytes = MaxPickleBytes,
        };
        var output = new TurnOutput(options.MaxOutputBytes);
        var commit = Workflow.Durable.Turn.Run(claimed, _program, options, output, c =>
        {
            IntermediateCommits++;
            Apply(c);
            return ++_revision;
        })!;
        Output.Write(output.ToString());
        Apply(commit);
        _revision++;
        _busyMicros = commit.BusyMicros;
        return commit;
    }

    /// <summary>Runs turns until one ends with the instance blocked or finished (a busy one goes on in the next).</summary>
    public TurnCommit TurnUntilBlocked(int maxTurns = 10_000)
    {
        for (int i = 0; i < maxTurns; i++)
        {
            var commit = Turn();
            if (commit.BusyMicros == 0) return commit;
        }
        throw new InvalidOperationException($"still busy after {maxTurns} turns");
    }

    private void Apply(TurnCommit commit)
    {
        Assert.Equal(_revision, commit.Revision);
        Commits.Add(commit);
        _inbox.RemoveAll(e => e.Id <= commit.ConsumedThrough);
        _instance = _instance with
        {
            Status = commit.Status,
            Pickle = commit.Pickle,
            ResultJson = commit.ResultJson,
            Error = commit.Error,
            Turns = _instance.Turns + 1,
        };
    }
}
