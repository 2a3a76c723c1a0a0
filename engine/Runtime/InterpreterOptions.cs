namespace Workflow.Runtime;

/// <summary>Limits that keep a runaway program from hanging a worker.</summary>
public sealed class InterpreterOptions
{
    /// <summary>
    /// How many ticks (loop back-edges and calls) a tasklet runs before it is preempted so the
    /// others get a turn. The default value is 10,000.
    /// </summary>
    public int PreemptionTicks { get; set; } = 10_000;

    /// <summary>
    /// Total ticks one run may take before it is stopped with an error; 0 means no limit.
    /// The default value is 2,000,000,000 (minutes of CPU, far beyond any sane turn).
    /// </summary>
    public long MaxTicks { get; set; } = 2_000_000_000;

    /// <summary>Frames one tasklet may stack before RecursionError. The default value is 200,000.</summary>
    public int MaxDepth { get; set; } = 200_000;

    /// <summary>
    /// The most one value may take, in bytes as ValueSize estimates them (2 per character of a
    /// str, 8 per item of a list or tuple, bits / 8 of an int). An operation that would make a
    /// bigger value (`"x" * n`, `[0] * n`, `10 ** n`, `list(range(n))`, a padded format…) raises
    /// MemoryError before doing the work; values under 64 KB are never checked, so a smaller limit
    /// acts as 64 KB. 0 means no limit. The default value is 64 MB.
    /// </summary>
    public long MaxValueBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Chaos mode (`wf run --chaos`): at every safe point the instance is pickled, the live VM is
    /// thrown away and the run goes on in a fresh VM unpickled from those bytes. Output must be the
    /// same as a plain run's; this is how the pickler is tested. A chaos run stops at safe points
    /// whatever <see cref="StopAtSafePoints"/> says. Off by default.
    /// </summary>
    public bool Chaos { get; set; }

    /// <summary>
    /// Whether the VM stops at every safe point (a place where the instance can be pickled and
    /// resumed exactly), returning to its caller, rather than running until main ends or every
    /// tasklet waits. Chaos runs pickle and swap the VM at each stop; the runtime's
    /// commit-at-every-await mode commits at the stops that follow an await. Scheduling is the
    /// same either way: preemption falls on the same ticks. Off by default.
    /// </summary>
    public bool StopAtSafePoints { get; set; }

    /// <summary>
    /// The clock behind now(), sleep() and the timers' due times. The default value is the system
    /// clock; tests and simulations pass one they control.
    /// </summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Tasklets of one instance alive at once (spawned and not finished); one more raises RuntimeError. The default value is 10,000.</summary>
    public int MaxTasklets { get; set; } = 10_000;

    /// <summary>Activities one instance may have started and not yet seen settle; one more raises RuntimeError. The default value is 10,000.</summary>
    public int MaxPendingActivities { get; set; } = 10_000;

    /// <summary>Timers (sleep, sleep_until) one instance may have pending; one more raises RuntimeError. The default value is 10,000.</summary>
    public int MaxPendingTimers { get; set; } = 10_000;

    /// <summary>Child workflows one instance may have running; one more raises RuntimeError. The default value is 10,000.</summary>
    public int MaxPendingChildren { get; set; } = 10_000;

    /// <summary>
    /// The largest payload one instance hands out, in bytes of UTF-8 JSON: an activity's arguments, a
    /// child's input, main's result. A larger one raises ValueError where it is made (a result fails
    /// the instance). The default value is 2 MB.
    /// </summary>
    public long MaxPayloadBytes { get; set; } = Durable.PayloadLimits.DefaultMaxPayloadBytes;

    /// <summary>A copy that stops at every safe point (chaos runs, commit-at-every-await), the rest unchanged.</summary>
    internal InterpreterOptions StoppingAtSafePoints() => new()
    {
        PreemptionTicks = PreemptionTicks,
        MaxTicks = MaxTicks,
        MaxDepth = MaxDepth,
        MaxValueBytes = MaxValueBytes,
        Chaos = Chaos,
        StopAtSafePoints = true,
        Clock = Clock,
        MaxTasklets = MaxTasklets,
        MaxPendingActivities = MaxPendingActivities,
        MaxPendingTimers = MaxPendingTimers,
        MaxPendingChildren = MaxPendingChildren,
        MaxPayloadBytes = MaxPayloadBytes,
    };
}
