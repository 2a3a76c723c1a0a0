using System.Numerics;
using Workflow.Runtime;

namespace Workflow.Values.Numbers;

/// <summary>
/// Arbitrary-precision int arithmetic with CPython's semantics. A script int is a boxed long, or a
/// BigInteger only when the value does not fit in a long; every result here is normalized that way.
/// The interpreter handles long∘long without overflow itself and calls these for the general case.
/// </summary>
internal static class IntOps
{
    /// <summary>CPython 3.11's default sys.get_int_max_str_digits().</summary>
    public const int MaxStrDigits = 4300;

    public static object Normalize(BigInteger v) =>
        v >= long.MinValue && v <= long.MaxValue ? Boxes.Int((long)v) : v;

    public static BigInteger ToBig(object i) => i switch
    {
        long l => l,
        BigInteger b => b,
        bool b => b ? BigInteger.One : BigInteger.Zero,
        _ => throw new InvalidCastException($"not an int: {i.GetType().Name}"),
    };

    private static bool TryLong(object i, out long v)
    {
        switch (i)
        {
            case long l: v = l; return true;
            case bool b: v = b ? 1 : 0; return true;
            default: v = 0; return false;
        }
    }

    public static object Add(object a, object b)
    {
        if (TryLong(a, out var x) && TryLong(b, out var y))
        {
            long r = unchecked(x + y);
            // Overflow happened iff both operands have the same sign and the result's differs.
            if (((x ^ r) & (y ^ r)) >= 0) return Boxes.Int(r);
        }
        return Normalize(ToBig(a) + ToBig(b));
    }

    public static object Sub(object a, object b)
    {
        if (TryLong(a, out var x) && TryLong(b, out var y))
        {
            long r = unchecked(x - y);
            if (((x ^ y) & (x ^ r)) >= 0) return Boxes.Int(r);
        }
        return Normalize(ToBig(a) - ToBig(b));
    }

    public static object Mul(object a, object b)
    {
        if (TryLong(a, out var x) && TryLong(b, out var y))
        {
            long high = Math.BigMul(x, y, out long low);
            // The 128-bit product fits in a long iff the high half is the sign extension of the low half.
            if (high == (low >> 63)) return Boxes.Int(low);
        }
        return Normalize(BigMultiply(ToBig(a), ToBig(b)));
    }

    /// <summary>x * y for big operands: the product's size is checked and its time charged before it is computed.</summary>
    private static BigInteger BigMultiply(BigInteger x, BigInteger y)
    {
        ValueSize.EnsureIntBits((double)x.GetBitLength() + y.GetBitLength());
        BuiltinWork.BigMultiply(x, y);
        return x * y;
    }

    public static object FloorDiv(object a, object b)
    {
        if (TryLong(a, out var x) && TryLong(b, out var y))
        {
            if (y == 0) throw Errors.ZeroDivisionError("integer division or modulo by zero");
            // long.MinValue / -1 is the only long quotient that overflows.
            if (!(x == long.MinValue && y == -1))
            {
                long q = x / y;
                if ((x % y != 0) && ((x < 0) != (y < 0))) q--;
                return Boxes.Int(q);
            }
        }
        var bb = ToBig(b);
        if (bb.IsZero) throw Errors.ZeroDivisionError("integer division or modulo by zero");
        return Normalize(FloorDivRem(ToBig(a), bb, out _));
    }

    public static object Mod(object a, object b)
    {
        if (TryLong(a, out var x) && TryLong(b, out var y))
        {
            if (y == 0) throw Errors.ZeroDivisionError("integer modulo by zero");
            if (y == -1) return Boxes.Int(0);
            long r = x % y;
            if (r != 0 && ((r < 0) != (y < 0))) r += y;
            return Boxes.Int(r);
        }
        var bb = ToBig(b);
        if (bb.IsZero) throw Errors.ZeroDivisionError("integer modulo by zero");
        FloorDivRem(ToBig(a), bb, out var rem);
        return Normalize(rem);
    }

    /// <summary>divmod(a, b) for ints, as a (quotient, remainder) pair of script ints.</summary>
    public static (object Quotient, object Remainder) DivMod(object a, object b)
    {
        var bb = ToBig(b);
        if (bb.IsZero) throw Errors.ZeroDivisionError("integer division or modulo by zero");
        var q = FloorDivRem(ToBig(a), bb, out var r);
        return (Normalize(q), Normalize(r));
    }

    /// <summary>Floor division with the remainder taking the divisor's sign.</summary>
    internal static BigInteger FloorDivRem(BigInteger a, BigInteger b, out BigInteger rem)
    {
        BuiltinWork.BigDivide(a, b);
        var q = BigInteger.DivRem(a, b, out rem);
        if (!rem.IsZero && (rem.Sign < 0) != (b.Sign < 0))
        {
            q -= 1;
            rem += b;
        }
        return q;
    }

    public static object Pow(object a, object b)
    {
        var exp = ToBig(b);
        if (exp.Sign < 0)
        {
            double x = ToDouble(a), y = ToDouble(b);
            if (x == 0) throw Errors.ZeroDivisionError("0.0 cannot be raised to a negative power");
            return FloatOps.Pow(x, y);
        }
        var baseBig = ToBig(a);
        if (baseBig.IsZero) return Boxes.Int(exp.IsZero ? 1 : 0);
        if (baseBig.IsOne) return Boxes.Int(1);
        if (baseBig == BigInteger.MinusOne) return Boxes.Int(exp.IsEven ? 1 : -1);
        if (TryLong(a, out var x0) && exp < 64)
        {
            // Square-and-multiply in longs while it cannot overflow, which is every small case.
            long result = 1, basis = x0;
            int n = (int)exp;
            bool overflow = false;
            while (true)
            {
                if ((n & 1) != 0)
                {
                    long hi = Math.BigMul(result, basis, out long lo);
                    if (hi != (lo >> 63)) { overflow = true; break; }
                    result = lo;
                }
                n >>= 1;
                if (n == 0) break;
                long hi2 = Math.BigMul(basis, basis, out long lo2);
                if (hi2 != (lo2 >> 63)) { overflow = true; break; }
                basis = lo2;
            }
            if (!overflow) return Boxes.Int(result);
        }
        // The result has exp × log2|base| bits: it is refused, or charged, before any squaring starts.
        double resultBits = (double)exp * BigInteger.Log(BigInteger.Abs(baseBig), 2);
        ValueSize.EnsureIntBits(resultBits);
        if (exp > int.MaxValue) throw Errors.OverflowError("int too large to compute");
        BuiltinWork.BigPower(resultBits);
        return Normalize(BigInteger.Pow(baseBig, (int)exp));
    }

    public static object PowMod(object a, object b, object m)
    {
        var mod = ToBig(m);
        if (mod.IsZero) throw Errors.ValueError("pow() 3rd argument cannot be 0");
        var basis = ToBig(a);
        var exp = ToBig(b);
        bool negativeMod = mod.Sign < 0;
        var absMod = BigInteger.Abs(mod);
        if (absMod.IsOne) return Boxes.Int(0);
        if (exp.Sign < 0)
        {
            BuiltinWork.BigModInverse(absMod);
            basis = ModInverse(basis, absMod);
            exp = -exp;
        }
        BuiltinWork.BigModPower(exp, absMod);
        var r = BigInteger.ModPow(basis, exp, absMod);
        if (r.Sign < 0) r += absMod;
        // The result takes the sign of the modulus, like %.
        if (negativeMod && !r.IsZero) r -= absMod;
        return Normalize(r);
    }

    private static BigInteger ModInverse(BigInteger a, BigInteger m)
    {
        BigInteger r0 = m, r1 = ((a % m) + m) % m, t0 = 0, t1 = 1;
        while (!r1.IsZero)
        {
            var q = BigInteger.DivRem(r0, r1, out var r2);
            (r0, r1) = (r1, r2);
            (t0, t1) = (t1, t0 - q * t1);
        }
        if (!r0.IsOne) throw Errors.ValueError("base is not invertible for the given modulus");
        return ((t0 % m) + m) % m;
    }

    public static double TrueDiv(object a, object b)
    {
        if (TryLong(a, out var x) && TryLong(b, out var y))
        {
            if (y == 0) throw Errors.ZeroDivisionError("division by zero");
            // Ints of at most 53 bits convert to double exactly, so one IEEE division rounds correctly.
            const long exact = 1L << 53;
            if (x > -exact && x < exact && y > -exact && y < exact) return (double)x / y;
        }
        var bb = ToBig(b);
        if (bb.IsZero) throw Errors.ZeroDivisionError("division by zero");
        return BigTrueDiv(ToBig(a), bb);
    }

    /// <summary>
    /// a / b correctly rounded: an integer quotient with two guard bits and a sticky bit is formed
    /// exactly, so the single rounding of its conversion to double is the correct one.
    /// </summary>
    private static double BigTrueDiv(BigInteger a, BigInteger b)
    {
        if (a.IsZero) return b.Sign < 0 ? -0.0 : 0.0;
        bool negative = (a.Sign < 0) != (b.Sign < 0);
        a = BigInteger.Abs(a);
        b = BigInteger.Abs(b);
        long diff = (long)a.GetBitLength() - (long)b.GetBitLength();
        if (diff > 1025) throw Errors.OverflowError("integer division result too large for a float");
        if (diff < -1080) return negative ? -0.0 : 0.0;
        // The quotient a / b / 2^shift has 55 or 56 bits; for subnormal results the shift is
        // capped so that the quotient's unit is a quarter of the smallest subnormal.
        int shift = (int)Math.Max(diff - 55, -1076);
        BigInteger q, r;
        if (shift >= 0) q = BigInteger.DivRem(a, b << shift, out r);
        else q = BigInteger.DivRem(a << -shift, b, out r);
        long qi = (long)q;
        if (!r.IsZero) qi |= 1;
        double result = Math.ScaleB((double)qi, shift);
        if (double.IsInfinity(result)) throw Errors.OverflowError("integer division result too large for a float");
        return negative ? -result : result;
    }

    public static object Neg(object a)
    {
        if (TryLong(a, out var x) && x != long.MinValue) return Boxes.Int(-x);
        return Normalize(-ToBig(a));
    }

    public static object Invert(object a)
    {
        if (TryLong(a, out var x)) return Boxes.Int(~x);
        return Normalize(-ToBig(a) - 1);
    }

    public static object LShift(object a, object b)
    {
        var count = ToBig(b);
        if (count.Sign < 0) throw Errors.ValueError("negative shift count");
        if (TryLong(a, out var x))
        {
            if (x == 0) return Boxes.Int(0);
            if (count < 63)
            {
                int n = (int)count;
                long r = x << n;
                if (r >> n == x) return Boxes.Int(r);
            }
        }
        if (ToBig(a).IsZero) return Boxes.Int(0);
        ValueSize.EnsureIntBits((double)ToBig(a).GetBitLength() + (double)count);
        if (count > int.MaxValue) throw Errors.OverflowError("too many digits in integer");
        return Normalize(ToBig(a) << (int)count);
    }

    public static object RShift(object a, object b)
    {
        var count = ToBig(b);
        if (count.Sign < 0) throw Errors.ValueError("negative shift count");
        if (TryLong(a, out var x))
            return Boxes.Int(count >= 63 ? (x < 0 ? -1 : 0) : x >> (int)count);
        var big = ToBig(a);
        if (count > int.MaxValue) return Boxes.Int(big.Sign < 0 ? -1 : 0);
        // BigInteger's >> floors for negative values, matching Python.
        return Normalize(big >> (int)count);
    }

    // bool overrides &, | and ^ to stay a bool when both operands are bools (True & False is False).
    public static object And(object a, object b) =>
        a is bool p && b is bool q ? Boxes.Bool(p & q)
        : TryLong(a, out var x) && TryLong(b, out var y) ? Boxes.Int(x & y) : Normalize(ToBig(a) & ToBig(b));

    public static object Or(object a, object b) =>
        a is bool p && b is bool q ? Boxes.Bool(p | q)
        : TryLong(a, out var x) && TryLong(b, out var y) ? Boxes.Int(x | y) : Normalize(ToBig(a) | ToBig(b));

    public static object Xor(object a, object b) =>
        a is bool p && b is bool q ? Boxes.Bool(p ^ q)
        : TryLong(a, out var x) && TryLong(b, out var y) ? Boxes.Int(x ^ y) : Normalize(ToBig(a) ^ ToBig(b));

    public static int Compare(object a, object b)
    {
        if (TryLong(a, out var x) && TryLong(b, out var y)) return x.CompareTo(y);
        return ToBig(a).CompareTo(ToBig(b));
    }

    public static double ToDouble(object a)
    {
        if (TryLong(a, out var x)) return x;
        var d = BigToDouble(ToBig(a));
        if (double.IsInfinity(d)) throw Errors.OverflowError("int too large to convert to float");
        return d;
    }

    /// <summary>
    /// Correctly rounded (half to even) BigInteger → double; infinity when out of range.
    /// BigInteger's own conversion truncates, which makes float(2**100 + 2**47 + 1) wrong.
    /// </summary>
    private static double BigToDouble(BigInteger v)
    {
        bool negative = v.Sign < 0;
        var abs = BigInteger.Abs(v);
        long bits = (long)abs.GetBitLength();
        if (bits <= 63) return negative ? -(double)(long)abs : (double)(long)abs;
        if (bits > 1024) return negative ? double.NegativeInfinity : double.PositiveInfinity;
        // Keep 55 bits: 53 for the mantissa, a guard bit, and a sticky bit for everything below.
        int shift = (int)bits - 55;
        long top = (long)(abs >> shift);
        if (!(abs & ((BigInteger.One << shift) - 1)).IsZero) top |= 1;
        double d = Math.ScaleB((double)top, shift);
        return negative ? -d : d;
    }

    public static string ToString(object a)
    {
        if (a is long l) return l.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (a is bool b) return b ? "1" : "0";
        var big = (BigInteger)a;
        CheckStrDigits(big);
        return big.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Raises CPython 3.11's ValueError when [v] has more than 4300 decimal digits.</summary>
    internal static void CheckStrDigits(BigInteger v)
    {
        // 4300 digits need at least 14281 bits; anything shorter cannot exceed the limit.
        long bits = (long)BigInteger.Abs(v).GetBitLength();
        if (bits < 14280) return;
        if (BigInteger.Abs(v) >= TenToTheLimit.Value)
            throw Errors.ValueError(
                "Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit");
    }

    private static readonly Lazy<BigInteger> TenToTheLimit = new(() => BigInteger.Pow(10, MaxStrDigits));

    /// <summary>Digits of |v| in a power-of-two base (2, 8, 16) in lower case, without sign or prefix; no length limit.</summary>
    internal static string ToBaseDigits(BigInteger v, int radix)
    {
        var abs = BigInteger.Abs(v);
        if (abs.IsZero) return "0";
        int bitsPerDigit = radix == 2 ? 1 : radix == 8 ? 3 : 4;
        long bitLength = (long)abs.GetBitLength();
        long digitCount = (bitLength + bitsPerDigit - 1) / bitsPerDigit;
        // "0x", a sign and grouping come on top; the digits alone decide whether it can be made.
        ValueSize.EnsureChars(digitCount);
        BuiltinWork.Chars(digitCount * bitsPerDigit);
        int digits = (int)digitCount;
        var bytes = abs.ToByteArray(isUnsigned: true, isBigEndian: false);
        var chars = new char[digits];
        for (int i = 0; i < digits; i++)
        {
            long bitPos = (long)i * bitsPerDigit;
            int value = 0;
            for (int k = 0; k < bitsPerDigit; k++)
            {
                long p = bitPos + k;
                int byteIndex = (int)(p >> 3);
                if (byteIndex < bytes.Length && ((bytes[byteIndex] >> (int)(p & 7)) & 1) != 0) value |= 1 << k;
            }
            chars[digits - 1 - i] = "0123456789abcdef"[value];
        }
        return new string(chars);
    }
}
