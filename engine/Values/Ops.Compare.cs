using System.Numerics;
using System.Runtime.CompilerServices;
using Workflow.Runtime;
using Workflow.Values.Numbers;
using static System.Runtime.CompilerServices.MethodImplOptions;

namespace Workflow.Values;

internal static partial class Ops
{
    private static readonly string[] CompareSymbols = { "==", "!=", "<", "<=", ">", ">=" };
    private static readonly string[] CompareDunders = { "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__" };
    /// <summary>The reflected comparison CPython tries on the right operand: a &lt; b falls back to b &gt; a.</summary>
    private static readonly int[] Reflected = { 0, 1, 4, 5, 2, 3 };

    /// <summary>
    /// `a == b` by script rules: numbers across kinds, sequences element-wise, user __eq__. Nested
    /// containers are compared one frame per level, to at most ValueNesting.MaxDepth levels.
    /// </summary>
    [MethodImpl(AggressiveOptimization)]
    public static bool Eq(object a, object b)
    {
        if (ReferenceEquals(a, b) && a is not double) return true;
        switch (a)
        {
            // A value of another kind falls through: an instance's reflected __eq__ may still answer.
            case string sa when b is string sb: return string.Equals(sa, sb, StringComparison.Ordinal);
            case long la when b is long lb: return la == lb;
            case long or BigInteger or bool or double when IsNumber(b): return NumericCompare(a, b) == 0;
            case PyTuple ta when b is PyTuple tb: return SequenceEqual(ta.Items, tb.Items);
            case PyList xs when b is PyList ys: return SequenceEqual(xs.Items, ys.Items);
            case PyDict da when b is PyDict db:
                {
                    if (da.Count != db.Count) return false;
                    using var level = ValueNesting.Enter("in comparison");
                    foreach (var kv in da.Items)
                        if (!db.TryGetValue(kv.Key, out var other) || !(ReferenceEquals(kv.Value, other) || Eq(kv.Value, other))) return false;
                    return true;
                }
            case PyRange ra when b is PyRange rb: return RangeEqual(ra, rb);
        }
        if (HasUserCompare(0, a, b)) return Truthy(CallPreludeNested("_compare_op", "__eq__", a, b, Boxes.Int(0)));
        return ReferenceEquals(a, b);
    }

    [MethodImpl(AggressiveOptimization)]
    private static bool SequenceEqual(IReadOnlyList<object> a, IReadOnlyList<object> b)
    {
        using var level = ValueNesting.Enter("in comparison");
        if (a.Count != b.Count) return false;
        int work = 0;
        for (int i = 0; i < a.Count; i++)
        {
            BuiltinWork.Step(ref work);
            if (!ReferenceEquals(a[i], b[i]) && !Eq(a[i], b[i])) return false;
        }
        return true;
    }

    /// <summary>Two ranges are equal when they give the same numbers, which their ends decide (CPython's range_equals): no need to walk them.</summary>
    private static bool RangeEqual(PyRange a, PyRange b) => a.SameNumbers(b);

    public static bool IsNumber(object v) => v is long or double or bool or BigInteger;

    /// <summary>Compares two numbers exactly; null when a NaN makes them unordered.</summary>
    private static int? NumericCompare(object a, object b)
    {
        if (a is bool ba) a = ba ? 1L : 0L;
        if (b is bool bb) b = bb ? 1L : 0L;
        if (a is double da)
        {
            if (b is double db) return double.IsNaN(da) || double.IsNaN(db) ? null : da.CompareTo(db);
            return -FloatOps.CompareIntFloat(b, da);
        }
        if (b is double d) return FloatOps.CompareIntFloat(a, d);
        if (a is long x && b is long y) return x.CompareTo(y);
        return IntOps.Compare(a, b);
    }

    /// <summary>Whether comparing [a] and [b] with [op] would call a method of a user class (then the prelude's _compare_op runs it as a frame).</summary>
    public static bool HasUserCompare(int op, object a, object b)
    {
        if (a is not PyInstance && b is not PyInstance) return false;
        if (op <= 1)
            return (a is PyInstance ia && (FindUserMethod(ia, "__eq__", out _) || (op == 1 && FindUserMethod(ia, "__ne__", out _))))
                || (b is PyInstance ib && (FindUserMethod(ib, "__eq__", out _) || (op == 1 && FindUserMethod(ib, "__ne__", out _))));
        return (a is PyInstance ai && FindUserMethod(ai, CompareDunders[op], out _))
            || (b is PyInstance bi && FindUserMethod(bi, CompareDunders[Reflected[op]], out _));
    }

    /// <summary>The comparison CPython tries on the right operand when the left one gives up: 2 (&lt;) for 4 (&gt;).</summary>
    public static int ReflectedComparison(int op) => Reflected[op];

    /// <summary>
    /// Whether the right operand's reflected method [name] goes first: its class is a strict
    /// subclass of the left operand's and has the method (CPython's do_richcompare); for a binary
    /// operator ([binary]) the subclass must also override it (slot_nb_*'s method_is_overloaded).
    /// </summary>
    public static bool ReflectedFirst(object a, object b, string name, bool binary)
    {
        if (b is not PyInstance ib || a is not PyInstance ia || ia.Class == ib.Class || !ib.Class.IsSubclassOf(ia.Class)) return false;
        if (!FindUserMethod(ib, name, out var mine)) return false;
        return !binary || !FindUserMethod(ia, name, out var theirs) || !ReferenceEquals(mine, theirs);
    }

    /// <summary>The dunder names of comparison [op] and of its reflection (`__lt__`, `__gt__`).</summary>
    public static PyTuple CompareDunderNames(int op) => PyTuple.Of(CompareDunders[op], CompareDunders[Reflected[op]]);

    /// <summary>A comparison once user methods have had their say (the prelude tried them): identity for ==, else the error.</summary>
    public static object CompareWithoutUserMethods(int op, object a, object b) => op switch
    {
        0 => Boxes.Bool(ReferenceEquals(a, b)),
        1 => Boxes.Bool(!ReferenceEquals(a, b)),
        _ => throw Errors.TypeError($"'{CompareSymbols[op]}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'"),
    };

    /// <summary>A rich comparison ([op] 0 ==, 1 !=, 2 &lt;, 3 &lt;=, 4 &gt;, 5 &gt;=), returning what the comparison returns (usually a bool).</summary>
    [MethodImpl(AggressiveOptimization)]
    public static object Compare(int op, object a, object b)
    {
        if (op == 0) return Boxes.Bool(Eq(a, b));
        if (op == 1)
        {
            if (HasUserCompare(1, a, b)) return CallPreludeNested("_compare_op", "__ne__", a, b, Boxes.Int(1));
            return Boxes.Bool(!Eq(a, b));
        }
        if (IsNumber(a) && IsNumber(b))
        {
            var c = NumericCompare(a, b);
            return Boxes.Bool(c != null && Holds(op, c.Value));
        }
        if (a is string sa && b is string sb) return Boxes.Bool(Holds(op, Text.CodePoints.Compare(sa, sb)));
        if (a is PyList la && b is PyList lb) return SequenceCompare(op, la.Items, lb.Items);
        if (a is PyTuple ta && b is PyTuple tb) return SequenceCompare(op, ta.Items, tb.Items);
        if (HasUserCompare(op, a, b)) return CallPreludeNested("_compare_op", CompareDunders[op], a, b, Boxes.Int(op));
        throw Errors.TypeError($"'{CompareSymbols[op]}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'");
    }

    private static bool Holds(int op, int c) => op switch
    {
        2 => c < 0,
        3 => c <= 0,
        4 => c > 0,
        _ => c >= 0,
    };

    [MethodImpl(AggressiveOptimization)]
    private static object SequenceCompare(int op, IReadOnlyList<object> a, IReadOnlyList<object> b)
    {
        using var level = ValueNesting.Enter("in comparison");
        int n = Math.Min(a.Count, b.Count);
        int work = 0;
        for (int i = 0; i < n; i++)
        {
            BuiltinWork.Step(ref work);
            if (ReferenceEquals(a[i], b[i]) || Eq(a[i], b[i])) continue;
            return Compare(op, a[i], b[i]);
        }
        return Boxes.Bool(Holds(op, a.Count.CompareTo(b.Count)));
    }

    /// <summary>a &lt; b as a bool, for sorting, min and max.</summary>
    public static bool Less(object a, object b)
    {
        if (a is long x && b is long y) return x < y;
        if (a is string s && b is string t) return Text.CodePoints.Compare(s, t) < 0;
        return Truthy(Compare(2, a, b));
    }
}
