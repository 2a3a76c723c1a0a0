using System.Numerics;

namespace Workflow.Values.Numbers;

/// <summary>
/// Arbitrary-precision int arithmetic with CPython's semantics. A script int is a boxed long, or a
/// BigInteger only when the value does not fit in a long; every result here is normalized that way.
/// The interpreter handles long∘long without overflow itself and calls these for the general case.
/// </summary>
internal static class IntOps
{
    public static object Normalize(BigInteger v) => throw new NotImplementedException();
    public static BigInteger ToBig(object i) => throw new NotImplementedException();
    public static object Add(object a, object b) => throw new NotImplementedException();
    public static object Sub(object a, object b) => throw new NotImplementedException();
    public static object Mul(object a, object b) => throw new NotImplementedException();
    /// <summary>Floor division; ZeroDivisionError "integer division or modulo by zero".</summary>
    public static object FloorDiv(object a, object b) => throw new NotImplementedException();
    /// <summary>Modulo with the sign of the divisor; ZeroDivisionError "integer modulo by zero".</summary>
    public static object Mod(object a, object b) => throw new NotImplementedException();
    /// <summary>int ** int: an int, or a double when [b] is negative (0 ** -1 raises ZeroDivisionError).</summary>
    public static object Pow(object a, object b) => throw new NotImplementedException();
    /// <summary>pow(a, b, m) for ints.</summary>
    public static object PowMod(object a, object b, object m) => throw new NotImplementedException();
    /// <summary>int / int, correctly rounded like CPython even for huge operands.</summary>
    public static double TrueDiv(object a, object b) => throw new NotImplementedException();
    public static object Neg(object a) => throw new NotImplementedException();
    public static object Invert(object a) => throw new NotImplementedException();
    public static object LShift(object a, object b) => throw new NotImplementedException();
    public static object RShift(object a, object b) => throw new NotImplementedException();
    public static object And(object a, object b) => throw new NotImplementedException();
    public static object Or(object a, object b) => throw new NotImplementedException();
    public static object Xor(object a, object b) => throw new NotImplementedException();
    public static int Compare(object a, object b) => throw new NotImplementedException();
    /// <summary>int → double; OverflowError "int too large to convert to float".</summary>
    public static double ToDouble(object a) => throw new NotImplementedException();
    /// <summary>Decimal text of an int, with CPython 3.11's 4300-digit limit (ValueError beyond it).</summary>
    public static string ToString(object a) => throw new NotImplementedException();
}
