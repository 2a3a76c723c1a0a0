using System.Numerics;

namespace Workflow.Values;

/// <summary>
/// range(start, stop, step): an immutable arithmetic sequence of script ints, as CPython's
/// rangeobject.c. The bounds are arbitrary ints; the common range whose bounds and length all fit
/// 64 bits also keeps them as longs (IsSmall), which the iterator and indexing use without
/// BigInteger arithmetic. Only len() of a range longer than sys.maxsize fails (OverflowError),
/// indexing, slicing, `in`, iteration and reversed() work at any size.
/// </summary>
internal sealed class PyRange
{
    /// <summary>The bounds as script ints: a long, or a BigInteger outside 64 bits.</summary>
    public readonly object Start, Stop, Step;

    /// <summary>True when start, stop, step and the length all fit a long: then the Small fields hold them.</summary>
    public readonly bool IsSmall;
    public readonly long SmallStart, SmallStep, SmallLength;

    private readonly BigInteger _bigLength;

    public PyRange(long start, long stop, long step)
    {
        if (step == 0) throw Errors.ValueError("range() arg 3 must not be zero");
        Start = Boxes.Int(start);
        Stop = Boxes.Int(stop);
        Step = Boxes.Int(step);
        // The distance as an unsigned 64-bit number is exact: it cannot pass 2**64 - 1.
        ulong length;
        if (step > 0) length = start < stop ? unchecked((ulong)stop - (ulong)start - 1) / (ulong)step + 1 : 0;
        else length = start > stop ? unchecked((ulong)start - (ulong)stop - 1) / (unchecked((ulong)(-(step + 1))) + 1) + 1 : 0;
        _bigLength = length;
        if (length <= long.MaxValue)
        {
            IsSmall = true;
            SmallStart = start;
            SmallStep = step;
            SmallLength = (long)length;
        }
    }

    /// <summary>A range of any ints: the small representation when everything fits 64 bits.</summary>
    public static PyRange Of(BigInteger start, BigInteger stop, BigInteger step)
    {
        if (step.IsZero) throw Errors.ValueError("range() arg 3 must not be zero");
        if (FitsLong(start) && FitsLong(stop) && FitsLong(step)) return new PyRange((long)start, (long)stop, (long)step);
        return new PyRange(start, stop, step);
    }

    private PyRange(BigInteger start, BigInteger stop, BigInteger step)
    {
        Start = Normalize(start);
        Stop = Normalize(stop);
        Step = Normalize(step);
        // CPython's compute_range_length.
        BigInteger low = start, high = stop, by = step;
        if (step.Sign < 0)
        {
            low = stop;
            high = start;
            by = -step;
        }
        _bigLength = low >= high ? BigInteger.Zero : (high - low - 1) / by + 1;
    }

    public BigInteger BigStart => AsBig(Start);
    public BigInteger BigStop => AsBig(Stop);
    public BigInteger BigStep => AsBig(Step);

    /// <summary>The number of items, however large.</summary>
    public BigInteger BigLength => IsSmall ? SmallLength : _bigLength;

    /// <summary>len(range): CPython's OverflowError when the length does not fit a Py_ssize_t.</summary>
    public long Length => IsSmall ? SmallLength
        : _bigLength <= long.MaxValue ? (long)_bigLength
        : throw Errors.OverflowError("Python int too large to convert to C ssize_t");

    /// <summary>The item at [index], 0 &lt;= index &lt; length (a small range's items all fit a long; the product may wrap, the sum does not).</summary>
    public long SmallItem(long index) => unchecked(SmallStart + index * SmallStep);

    /// <summary>The item at [index], 0 &lt;= index &lt; length, as a script int.</summary>
    public object Item(BigInteger index) =>
        IsSmall ? Boxes.Int(SmallItem((long)index)) : Normalize(BigStart + index * BigStep);

    /// <summary>range[i] with CPython's errors: a negative index counts from the end.</summary>
    public object GetItem(object key)
    {
        if (key is PySlice slice) return Slice(slice);
        if (key is not (long or bool or BigInteger))
            throw Errors.TypeError($"range indices must be integers or slices, not {Ops.TypeName(key)}");
        var i = AsBig(key is bool b ? (b ? 1L : 0L) : key);
        var length = BigLength;
        if (i.Sign < 0) i += length;
        if (i.Sign < 0 || i >= length) throw Errors.IndexError("range object index out of range");
        return Item(i);
    }

    /// <summary>range[a:b:c], CPython's compute_slice: the slice resolved against the length, then mapped through this range.</summary>
    private PyRange Slice(PySlice slice)
    {
        var (start, stop, step) = SliceIndices(slice, BigLength);
        var by = BigStep;
        return Of(BigStart + start * by, BigStart + stop * by, step * by);
    }

    /// <summary>_PySlice_GetLongIndices: the slice's start, stop and step against [length], at any size.</summary>
    private static (BigInteger Start, BigInteger Stop, BigInteger Step) SliceIndices(PySlice slice, BigInteger length)
    {
        BigInteger step = slice.Step is PyNone ? BigInteger.One : SliceBound(slice.Step);
        if (step.IsZero) throw Errors.ValueError("slice step cannot be zero");
        bool negative = step.Sign < 0;
        BigInteger lower = negative ? BigInteger.MinusOne : BigInteger.Zero;
        BigInteger upper = negative ? length - 1 : length;
        BigInteger Clamp(object bound, BigInteger fallback)
        {
            if (bound is PyNone) return fallback;
            var i = SliceBound(bound);
            if (i.Sign < 0)
            {
                i += length;
                return i < lower ? lower : i;
            }
            return i > upper ? upper : i;
        }
        return (Clamp(slice.Start, negative ? upper : lower), Clamp(slice.Stop, negative ? lower : upper), step);
    }

    private static BigInteger SliceBound(object bound) => bound switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        BigInteger big => big,
        _ => throw Errors.TypeError("slice indices must be integers or None or have an __index__ method"),
    };

    /// <summary>The position of int [n] in the range, or -1 when it is not one of its items.</summary>
    public BigInteger IndexOfInt(BigInteger n)
    {
        var start = BigStart;
        var step = BigStep;
        var stop = BigStop;
        if (step.Sign > 0 ? n < start || n >= stop : n > start || n <= stop) return BigInteger.MinusOne;
        var offset = n - start;
        return (offset % step).IsZero ? offset / step : BigInteger.MinusOne;
    }

    /// <summary>
    /// The int an item of the range would have to equal for [value] to be in it (a bool, an int,
    /// an integral float), or null when no item can equal it.
    /// </summary>
    public static BigInteger? AsIntItem(object value) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        BigInteger big => big,
        double d when double.IsFinite(d) && Math.Floor(d) == d => new BigInteger(d),
        _ => null,
    };

    public bool Contains(object value)
    {
        if (IsSmall && value is long n)
        {
            // The common case, without BigInteger arithmetic.
            long start = SmallStart, step = SmallStep;
            if (SmallLength == 0) return false;
            long last = SmallItem(SmallLength - 1);
            if (step > 0 ? n < start || n > last : n > start || n < last) return false;
            return unchecked((ulong)(step > 0 ? n - start : start - n)) % (step > 0 ? (ulong)step : unchecked((ulong)(-(step + 1))) + 1) == 0;
        }
        return AsIntItem(value) is { } i && IndexOfInt(i).Sign >= 0;
    }

    /// <summary>Two ranges are equal when they give the same numbers, which their ends decide (CPython's range_equals).</summary>
    public bool SameNumbers(PyRange other)
    {
        var length = BigLength;
        if (length != other.BigLength) return false;
        if (length.IsZero) return true;
        if (BigStart != other.BigStart) return false;
        return length.IsOne || BigStep == other.BigStep;
    }

    public string Repr() => Step is long and 1 ? $"range({Ops.Repr(Start)}, {Ops.Repr(Stop)})" : $"range({Ops.Repr(Start)}, {Ops.Repr(Stop)}, {Ops.Repr(Step)})";

    private static bool FitsLong(BigInteger v) => v >= long.MinValue && v <= long.MaxValue;

    private static object Normalize(BigInteger v) => FitsLong(v) ? Boxes.Int((long)v) : v;

    private static BigInteger AsBig(object v) => v is long l ? l : (BigInteger)v;
}
