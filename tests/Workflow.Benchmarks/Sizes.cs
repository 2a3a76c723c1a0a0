namespace Workflow.Benchmarks;

/// <summary>
/// How big a run is. The full run has the issues' sizes; --quick has smaller ones, for everyday
/// use (the whole run in under two minutes): fewer repetitions, shorter windows, history up to
/// 1,000 steps, 10,000 sleeping instances instead of 100,000, one round of worker processes with
/// short warm-ups. Quick figures are noisier; the targets are still shown beside them.
/// </summary>
internal sealed record Sizes
{
    /// <summary>Interpreter: best of this many runs of each workload, after one warm-up run.</summary>
    public int InterpreterRuns { get; init; } = 3;

    /// <summary>Pickling: the median of this many timed operations, after a warm-up.</summary>
    public int PicklingSamples { get; init; } = 2000;

    /// <summary>Pickling: each figure is the quietest of at least three rounds of PicklingSamples, and of at least this long.</summary>
    public TimeSpan PicklingMinimumTime { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Durable steps/s: counted over DurableWindow after DurableWarmUp from the first completed step.</summary>
    public TimeSpan DurableWarmUp { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan DurableWindow { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>History lengths at which the time per step is reported; the last is the long instance's length.</summary>
    public int[] HistoryPoints { get; init; } = [10, 100, 1_000, 10_000];

    /// <summary>Fresh instances run just before and just after each history window, as its baseline.</summary>
    public int HistoryFreshInstances { get; init; } = 30;

    /// <summary>Timers due within the same second.</summary>
    public int Timers { get; init; } = 1000;

    /// <summary>Instances asleep on timers (the memory baseline has a tenth as many).</summary>
    public int SleepingInstances { get; init; } = 100_000;

    /// <summary>
    /// Worker processes: rounds of every configuration, and each measurement's warm-up and window.
    /// Five rounds, not three: on a 2-core machine single rounds of one configuration ranged
    /// 3,200–6,300 steps/s, and a median of three flipped the more-workers verdict between runs.
    /// </summary>
    public int WorkerRounds { get; init; } = 5;

    public TimeSpan WorkerWarmUp { get; init; } = TimeSpan.FromSeconds(20);

    public TimeSpan WorkerWindow { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Recovery: SIGKILLs per store, each catching an instance mid-turn and an activity mid-run.</summary>
    public int RecoveryKills { get; init; } = 20;

    /// <summary>Isolation: probes run one after another, alone and beside the spinners, and rounds of steps/s with slices on and off.</summary>
    public int IsolationProbes { get; init; } = 200;

    public int IsolationRounds { get; init; } = 3;

    /// <summary>Journal: rounds of steps/s with the journal and without, alternating.</summary>
    public int JournalRounds { get; init; } = 5;

    public static Sizes Full => new();

    public static Sizes Quick => new()
    {
        InterpreterRuns = 1,
        PicklingSamples = 300,
        PicklingMinimumTime = TimeSpan.Zero,
        DurableWarmUp = TimeSpan.FromSeconds(0.5),
        DurableWindow = TimeSpan.FromSeconds(1.5),
        HistoryPoints = [10, 100, 1_000],
        HistoryFreshInstances = 10,
        SleepingInstances = 10_000,
        WorkerRounds = 1,
        WorkerWarmUp = TimeSpan.FromSeconds(4),
        WorkerWindow = TimeSpan.FromSeconds(3),
        RecoveryKills = 5,
        IsolationProbes = 40,
        IsolationRounds = 1,
        JournalRounds = 2,
    };
}
