using System.Diagnostics;

namespace Workflow.Runtime;

/// <summary>
/// Fair turns: the durable runtime gives each turn a slice of running time. When the slice is over
/// and tasklets are still runnable, the run stops at the next safe point (Continue returns null with
/// <see cref="SliceEnded"/> set); the runtime commits the instance as it stands, still ready, and
/// runs other instances before this one goes on.
/// </summary>
/// <remarks>
/// The clock is read where the budget is already checked (every PreemptionTicks ticks, and at each
/// switch of tasklets), so a slice ends within about 10,000 ticks of its time; a built-in that
/// runs long ends the slice at the first safe point after it returns.
/// </remarks>
internal sealed partial class Interpreter
{
    /// <summary>The Stopwatch timestamp at which the slice ends; 0 for a run without slices.</summary>
    private long _sliceEnd;
    private bool _sliceOver;

    /// <summary>Whether the last Continue() stopped because the slice was over (tasklets are still runnable).</summary>
    public bool SliceEnded => _sliceOver;

    /// <summary>Gives the run a slice of [length] from now.</summary>
    public void LimitSlice(TimeSpan length)
    {
        _sliceEnd = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
        _sliceOver = false;
    }

    /// <summary>Notes that the slice is over; the run stops at the next safe point outside a nested run.</summary>
    private void CheckSlice()
    {
        if (_sliceEnd != 0 && Stopwatch.GetTimestamp() > _sliceEnd) _sliceOver = true;
    }
}
