using System.Numerics;
using Workflow.Runtime;
using Workflow.Syntax;
using Workflow.Values.Numbers;

namespace Workflow.Values;

internal static partial class Ops
{
    private static readonly string[] Symbols = { "+", "-", "*", "/", "//", "%", "**", "<<", ">>", "|", "^", "&", "@" };
    private static readonly string[] Dunders = { "add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "lshift", "rshift", "or", "xor", "and", "matmul" };

    /// <summary>The dunder names of [op]: forward (`__add__`), reflected (`__radd__`), in-place (`__iadd__`).</summary>
    public static PyTuple BinaryDunders(BinaryOperator op) =>
        PyTuple.Of("__" + Dunders[(int)op] + "__", "__r" + Dunders[(int)op] + "__", "__i" + Dunders[(int)op] + "__");

    /// <summary>Whether `a ∘ b` would call a method of a user class (then the prelude's _binary_op runs it as a frame).</summary>
    public static bool HasUserBinary(BinaryOperator op, object a, object b, bool inPlace) =>
        (a is PyInstance ia && (FindUserMethod(ia, "__" + Dunders[(int)op] + "__", out _) || (inPlace && FindUserMethod(ia, "__i" + Dunders[(int)op] + "__", out _))))
        || (b is PyInstance ib && FindUserMethod(ib, "__r" + Dunders[(int)op] + "__", out _));

    /// <summary>`a ∘ b` for every binary operator; [inPlace] is the augmented-assignment form (`+=` on a list extends it).</summary>
    /// <param name="userMethods">False when the dunder methods were already tried (by the prelude): only the built-in behaviour and the error remain.</param>
    public static object Binary(BinaryOperator op, object a, object b, bool inPlace, bool userMethods = true)
    {
        if (IsNumber(a) && IsNumber(b)) return NumericBinary(op, a, b);
        switch (op)
        {
            case BinaryOperator.Add:
                if (a is string sa)
                {
                    if (b is string sb) return ValueSize.Concat(sa, sb);
                    throw Errors.TypeError($"can only concatenate str (not \"{TypeName(b)}\") to str");
                }
                if (a is PyList la)
                {
                    if (inPlace)
                    {
                        Extend(la.Items, b);
                        return la;
                    }
                    if (b is PyList lb)
                    {
                        ValueSize.EnsureItems((long)la.Items.Count + lb.Items.Count);
                        var items = new List<object>(la.Items.Count + lb.Items.Count);
                        items.AddRange(la.Items);
                        items.AddRange(lb.Items);
                        return new PyList(items);
                    }
                    if (a is PyList && (b is not PyInstance || !userMethods)) throw Errors.TypeError($"can only concatenate list (not \"{TypeName(b)}\") to list");
                }
                if (a is PyTuple ta)
                {
                    if (b is PyTuple tb)
                    {
                        ValueSize.EnsureItems((long)ta.Items.Length + tb.Items.Length);
                        return new PyTuple([.. ta.Items, .. tb.Items]);
                    }
                    if (b is not PyInstance || !userMethods) throw Errors.TypeError($"can only concatenate tuple (not \"{TypeName(b)}\") to tuple");
                }
                break;
            case BinaryOperator.Mult:
                if (a is string or PyList or PyTuple && b is long or bool or BigInteger) return Repeat(a, b, inPlace);
                if (b is string or PyList or PyTuple && a is long or bool or BigInteger) return Repeat(b, a, inPlace: false);
                if (a is string or PyList or PyTuple && (b is not PyInstance || !userMethods)) throw Errors.TypeError($"can't multiply sequence by non-int of type '{TypeName(b)}'");
                if (b is string or PyList or PyTuple && !inPlace && (a is not PyInstance || !userMethods)) throw Errors.TypeError($"can't multiply sequence by non-int of type '{TypeName(a)}'");
                break;
            case BinaryOperator.BitOr:
                if (a is PyDict da && b is PyDict db)
                {
                    var target = inPlace ? da : Copy(da);
                    foreach (var kv in db.Items) target.Set(kv.Key, kv.Value);
                    return target;
                }
                break;
            case BinaryOperator.Mod:
                if (a is string) throw Errors.TypeError("'%' string formatting is not supported: use an f-string or str.format");
                break;
        }
        if (!userMethods || !HasUserBinary(op, a, b, inPlace)) return UnsupportedOperands(op, a, b, inPlace);
        return CallPreludeNested("_binary_op", "__" + Dunders[(int)op] + "__", a, b, Boxes.Int((int)op), Boxes.Bool(inPlace));
    }

    private static object UnsupportedOperands(BinaryOperator op, object a, object b, bool inPlace)
    {
        var symbol = Symbols[(int)op] + (inPlace ? "=" : "");
        if (op == BinaryOperator.Pow && !inPlace) symbol = "** or pow()";
        throw Errors.TypeError($"unsupported operand type(s) for {symbol}: '{TypeName(a)}' and '{TypeName(b)}'");
    }

    private static PyDict Copy(PyDict d)
    {
        var copy = new PyDict();
        foreach (var kv in d.Items) copy.Set(kv.Key, kv.Value);
        return copy;
    }

    /// <summary>
    /// `sequence * times`, its size checked before anything is copied. `xs *= n` on a list
    /// repeats it in place, as CPython's list does: other names for the list see it grow.
    /// </summary>
    private static object Repeat(object sequence, object times, bool inPlace)
    {
        long n = times is bool tb ? (tb ? 1 : 0) : times is long l ? l : throw Errors.OverflowError("cannot fit 'int' into an index-sized integer");
        long length = Len(sequence);
        // An empty sequence stays empty however often it is repeated.
        if (n < 0 || length == 0) n = 0;
        if (sequence is string s)
        {
            ValueSize.EnsureChars(ValueSize.Times(length, n));
            BuiltinWork.Chars(length * n);
            return n == 0 ? "" : new System.Text.StringBuilder(s.Length * (int)n).Insert(0, s, (int)n).ToString();
        }
        ValueSize.EnsureItems(ValueSize.Times(length, n));
        BuiltinWork.Items(length * n);
        if (sequence is PyTuple tuple)
        {
            var items = new object[length * n];
            for (int i = 0; i < items.Length; i += tuple.Items.Length) tuple.Items.CopyTo(items, i);
            return new PyTuple(items);
        }
        var list = (PyList)sequence;
        var once = list.Items.ToArray();
        var result = inPlace ? list.Items : new List<object>();
        result.Clear();
        result.EnsureCapacity((int)(length * n));
        for (long i = 0; i < n; i++) result.AddRange(once);
        return inPlace ? list : new PyList(result);
    }

    private static object NumericBinary(BinaryOperator op, object a, object b)
    {
        // bool & bool stays a bool (True & False is False); IntOps handles two bools for &, | and ^.
        if (a is bool && b is bool && op is BinaryOperator.BitAnd or BinaryOperator.BitOr or BinaryOperator.BitXor)
            return op switch
            {
                BinaryOperator.BitAnd => IntOps.And(a, b),
                BinaryOperator.BitOr => IntOps.Or(a, b),
                _ => IntOps.Xor(a, b),
            };
        if (a is bool ba) a = ba ? 1L : 0L;
        if (b is bool bb) b = bb ? 1L : 0L;
        if (a is double || b is double)
        {
            if (op is BinaryOperator.LShift or BinaryOperator.RShift or BinaryOperator.BitAnd or BinaryOperator.BitOr or BinaryOperator.BitXor)
                throw Errors.TypeError($"unsupported operand type(s) for {Symbols[(int)op]}: '{TypeName(a)}' and '{TypeName(b)}'");
            double x = a is double da ? da : IntOps.ToDouble(a);
            double y = b is double db ? db : IntOps.ToDouble(b);
            return op switch
            {
                BinaryOperator.Add => x + y,
                BinaryOperator.Sub => x - y,
                BinaryOperator.Mult => x * y,
                BinaryOperator.Div => FloatOps.TrueDiv(x, y),
                BinaryOperator.FloorDiv => FloatOps.FloorDiv(x, y),
                BinaryOperator.Mod => FloatOps.Mod(x, y),
                BinaryOperator.Pow => FloatOps.Pow(x, y),
                _ => throw Errors.TypeError($"unsupported operand type(s) for {Symbols[(int)op]}: 'float' and 'float'"),
            };
        }
        return op switch
        {
            BinaryOperator.Add => IntOps.Add(a, b),
            BinaryOperator.Sub => IntOps.Sub(a, b),
            BinaryOperator.Mult => IntOps.Mul(a, b),
            BinaryOperator.Div => IntOps.TrueDiv(a, b),
            BinaryOperator.FloorDiv => IntOps.FloorDiv(a, b),
            BinaryOperator.Mod => IntOps.Mod(a, b),
            BinaryOperator.Pow => IntOps.Pow(a, b),
            BinaryOperator.LShift => IntOps.LShift(a, b),
            BinaryOperator.RShift => IntOps.RShift(a, b),
            BinaryOperator.BitAnd => IntOps.And(a, b),
            BinaryOperator.BitOr => IntOps.Or(a, b),
            BinaryOperator.BitXor => IntOps.Xor(a, b),
            _ => throw Errors.TypeError($"unsupported operand type(s) for @: 'int' and 'int'"),
        };
    }

    public static object Negate(object v) => v switch
    {
        long l when l != long.MinValue => Boxes.Int(-l),
        long or BigInteger => IntOps.Neg(v),
        bool b => Boxes.Int(b ? -1 : 0),
        double d => -d,
        PyInstance i when FindUserMethod(i, "__neg__", out var m) => CallMethod(i, m, "__neg__"),
        _ => throw Errors.TypeError($"bad operand type for unary -: '{TypeName(v)}'"),
    };

    public static object Positive(object v) => v switch
    {
        long or BigInteger or double => v,
        bool b => Boxes.Int(b ? 1 : 0),
        PyInstance i when FindUserMethod(i, "__pos__", out var m) => CallMethod(i, m, "__pos__"),
        _ => throw Errors.TypeError($"bad operand type for unary +: '{TypeName(v)}'"),
    };

    public static object Invert(object v) => v switch
    {
        long l => Boxes.Int(~l),
        BigInteger => IntOps.Invert(v),
        bool b => Boxes.Int(b ? -2 : -1),
        PyInstance i when FindUserMethod(i, "__invert__", out var m) => CallMethod(i, m, "__invert__"),
        _ => throw Errors.TypeError($"bad operand type for unary ~: '{TypeName(v)}'"),
    };
}

/// <summary>The NotImplemented singleton a dunder returns to let the other operand try.</summary>
internal sealed class NotImplemented
{
    public static readonly NotImplemented Value = new();
    private NotImplemented() { }
}
