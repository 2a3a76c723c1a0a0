using System.Globalization;
using System.Numerics;

namespace Workflow.Values.Numbers;

/// <summary>Float arithmetic and int/float comparison with CPython's semantics and error messages.</summary>
internal static class FloatOps
{
    /// <summary>x / y; ZeroDivisionError "float division by zero".</summary>
    public static double TrueDiv(double x, double y)
    {
        if (y == 0) throw Errors.ZeroDivisionError("float division by zero");
        return x / y;
    }

    /// <summary>x // y; ZeroDivisionError "float floor division by zero".</summary>
    public static double FloorDiv(double x, double y)
    {
        if (y == 0) throw Errors.ZeroDivisionError("float floor division by zero");
        return DivMod(x, y).Quotient;
    }

    /// <summary>x % y with the sign of y; ZeroDivisionError "float modulo".</summary>
    public static double Mod(double x, double y)
    {
        if (y == 0) throw Errors.ZeroDivisionError("float modulo");
        double mod = x % y;
        if (mod != 0)
        {
            if ((y < 0) != (mod < 0)) mod += y;
        }
        else
        {
            mod = Math.CopySign(0.0, y);
        }
        return mod;
    }

    /// <summary>divmod(x, y) for floats; ZeroDivisionError "float divmod()".</summary>
    public static (double Quotient, double Remainder) DivMod(double x, double y)
    {
        if (y == 0) throw Errors.ZeroDivisionError("float divmod()");
        // CPython's float_divmod: fmod is exact, and the quotient is snapped to the nearest integer.
        double mod = x % y;
        double div = (x - mod) / y;
        if (mod != 0)
        {
            if ((y < 0) != (mod < 0))
            {
                mod += y;
                div -= 1.0;
            }
        }
        else
        {
            mod = Math.CopySign(0.0, y);
        }
        double floorDiv;
        if (div != 0)
        {
            floorDiv = Math.Floor(div);
            if (div - floorDiv > 0.5) floorDiv += 1.0;
        }
        else
        {
            floorDiv = Math.CopySign(0.0, x / y);
        }
        return (floorDiv, mod);
    }

    /// <summary>x ** y; ZeroDivisionError "0.0 cannot be raised to a negative power"; OverflowError "(34, 'Numerical result out of range')".</summary>
    public static double Pow(double x, double y)
    {
        // The special cases follow CPython's float_pow, which follows C99's pow.
        if (y == 0) return 1.0;
        if (double.IsNaN(x)) return x;
        if (double.IsNaN(y)) return x == 1.0 ? 1.0 : y;
        if (double.IsInfinity(y))
        {
            double ax = Math.Abs(x);
            if (ax == 1.0) return 1.0;
            return (y > 0) == (ax > 1.0) ? double.PositiveInfinity : 0.0;
        }
        if (double.IsInfinity(x))
        {
            bool odd = IsOddInteger(y);
            if (y > 0) return odd ? x : Math.Abs(x);
            return odd ? Math.CopySign(0.0, x) : 0.0;
        }
        if (x == 0)
        {
            if (y < 0) throw Errors.ZeroDivisionError("0.0 cannot be raised to a negative power");
            return IsOddInteger(y) ? x : 0.0;
        }
        if (x == 1.0) return 1.0;
        bool negate = false;
        if (x < 0)
        {
            // CPython returns a complex number here; the language has no complex type.
            if (y != Math.Floor(y))
                throw Errors.ValueError("negative number cannot be raised to a fractional power");
            x = -x;
            negate = IsOddInteger(y);
        }
        if (x == 1.0) return negate ? -1.0 : 1.0;
        double r = Math.Pow(x, y);
        if (negate) r = -r;
        if (double.IsInfinity(r)) throw Errors.OverflowError("(34, 'Numerical result out of range')");
        return r;
    }

    private static bool IsOddInteger(double y) => Math.Abs(y % 2.0) == 1.0;

    /// <summary>Exact comparison of an int (long or BigInteger) with a double, as CPython does (no rounding of the int). NaN compares unordered: returns null.</summary>
    public static int? CompareIntFloat(object i, double d)
    {
        if (double.IsNaN(d)) return null;
        if (double.IsPositiveInfinity(d)) return -1;
        if (double.IsNegativeInfinity(d)) return 1;
        if (i is long l && l > -(1L << 53) && l < (1L << 53)) return ((double)l).CompareTo(d);
        if (i is bool b) return (b ? 1.0 : 0.0).CompareTo(d);
        // The floor of a finite double is an exact integer; compare with it, then break the tie
        // on whether d had a fractional part.
        double floor = Math.Floor(d);
        int c = IntOps.ToBig(i).CompareTo(new BigInteger(floor));
        if (c != 0) return c;
        return floor == d ? 0 : -1;
    }

    /// <summary>round(x) → int (banker's rounding); OverflowError/ValueError for inf/nan like CPython.</summary>
    public static object Round(double x) => ToInt(Math.Round(x, MidpointRounding.ToEven));

    /// <summary>round(x, n) → float, correctly rounded like CPython (round(2.675, 2) == 2.67).</summary>
    public static double Round(double x, int ndigits)
    {
        if (!double.IsFinite(x)) return x;
        // Beyond these, every double is already exact, or rounds to zero (CPython's NDIGITS_MAX/MIN).
        if (ndigits > 323) return x;
        if (ndigits < -308) return 0.0 * x;
        if (x == 0) return x;
        string n = DecimalDigits.RoundScaled(Math.Abs(x), ndigits);
        string text = (x < 0 ? "-" : "") + n + "e" + (-ndigits).ToString(CultureInfo.InvariantCulture);
        double rounded = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (double.IsInfinity(rounded)) throw Errors.OverflowError("rounded value too large to represent");
        return rounded;
    }

    /// <summary>round(i, n) for an int and a negative n (round(1234, -2) == 1200, half to even).</summary>
    public static object RoundInt(object i, int ndigits)
    {
        if (ndigits >= 0) return i is bool b ? Boxes.Int(b ? 1 : 0) : i;
        var value = IntOps.ToBig(i);
        // 10**-ndigits more than twice |value| rounds it to 0: no need to compute a huge power of ten.
        if (-(double)ndigits > value.GetBitLength() * 0.30103 + 1) return Boxes.Int(0);
        // Through IntOps, so that the power and the product are checked against the value limit and charged.
        var scale = IntOps.ToBig(IntOps.Pow(10L, -(long)ndigits));
        var q = IntOps.FloorDivRem(value, scale, out var rem);
        // Round the floor quotient up when the remainder is over half, or exactly half and q is odd.
        int c = (rem * 2).CompareTo(scale);
        if (c > 0 || (c == 0 && !q.IsEven)) q += 1;
        return IntOps.Mul(IntOps.Normalize(q), IntOps.Normalize(scale));
    }

    /// <summary>int(x) for a float: truncation toward zero; ValueError for nan, OverflowError for inf.</summary>
    public static object ToInt(double x)
    {
        if (double.IsNaN(x)) throw Errors.ValueError("cannot convert float NaN to integer");
        if (double.IsInfinity(x)) throw Errors.OverflowError("cannot convert float infinity to integer");
        double t = Math.Truncate(x);
        if (t >= -9.2233720368547758E18 && t < 9.2233720368547758E18) return Boxes.Int((long)t);
        return IntOps.Normalize(new BigInteger(t));
    }
}
