namespace Workflow.Values;

/// <summary>A slice object `a:b:c`; each part is a script value (None when omitted).</summary>
internal sealed class PySlice
{
    public readonly object Start, Stop, Step;

    public PySlice(object start, object stop, object step)
    {
        Start = start;
        Stop = stop;
        Step = step;
    }

    /// <summary>Resolves the slice against a sequence of [length] items, with CPython's clamping rules (PySlice_AdjustIndices).</summary>
    public (long Start, long Stop, long Step, long Count) Indices(long length)
    {
        long step = Step is PyNone ? 1 : Ops.Index(Step);
        if (step == 0) throw Errors.ValueError("slice step cannot be zero");
        long lower = step < 0 ? -1 : 0, upper = step < 0 ? length - 1 : length;
        long start = Step is PyNone && Start is PyNone ? 0 : Start is PyNone ? (step < 0 ? upper : lower) : Clamp(Ops.Index(Start), length, lower, upper);
        long stop = Stop is PyNone ? (step < 0 ? lower : upper) : Clamp(Ops.Index(Stop), length, lower, upper);
        if (Start is PyNone && step > 0) start = 0;
        long count;
        if (step > 0) count = start < stop ? (stop - start - 1) / step + 1 : 0;
        else count = stop < start ? (start - stop - 1) / -step + 1 : 0;
        return (start, stop, step, count);
    }

    private static long Clamp(long i, long length, long lower, long upper)
    {
        if (i < 0)
        {
            i += length;
            if (i < lower) i = lower;
        }
        else if (i > upper)
        {
            i = upper;
        }
        return i;
    }
}
