namespace Workflow.Values;

/// <summary>range(start, stop, step): an immutable arithmetic sequence of longs.</summary>
internal sealed class PyRange
{
    public readonly long Start, Stop, Step;

    public PyRange(long start, long stop, long step)
    {
        if (step == 0) throw Errors.ValueError("range() arg 3 must not be zero");
        Start = start;
        Stop = stop;
        Step = step;
    }

    public long Length
    {
        get
        {
            if (Step > 0) return Start < Stop ? (Stop - Start - 1) / Step + 1 : 0;
            return Start > Stop ? (Start - Stop - 1) / -Step + 1 : 0;
        }
    }

    public long this[long index] => Start + index * Step;
}
