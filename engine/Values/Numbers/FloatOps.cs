namespace Workflow.Values.Numbers;

/// <summary>Float arithmetic and int/float comparison with CPython's semantics and error messages.</summary>
internal static class FloatOps
{
    /// <summary>x / y; ZeroDivisionError "float division by zero".</summary>
    public static double TrueDiv(double x, double y) => throw new NotImplementedException();
    /// <summary>x // y; ZeroDivisionError "float floor division by zero".</summary>
    public static double FloorDiv(double x, double y) => throw new NotImplementedException();
    /// <summary>x % y with the sign of y; ZeroDivisionError "float modulo".</summary>
    public static double Mod(double x, double y) => throw new NotImplementedException();
    /// <summary>x ** y; ZeroDivisionError "0.0 cannot be raised to a negative power"; OverflowError "(34, 'Numerical result out of range')".</summary>
    public static double Pow(double x, double y) => throw new NotImplementedException();
    /// <summary>Exact comparison of an int (long or BigInteger) with a double, as CPython does (no rounding of the int). NaN compares unordered: returns null.</summary>
    public static int? CompareIntFloat(object i, double d) => throw new NotImplementedException();
    /// <summary>round(x) → int (banker's rounding); OverflowError/ValueError for inf/nan like CPython.</summary>
    public static object Round(double x) => throw new NotImplementedException();
    /// <summary>round(x, n) → float, correctly rounded like CPython (round(2.675, 2) == 2.67).</summary>
    public static double Round(double x, int ndigits) => throw new NotImplementedException();
    /// <summary>round(i, n) for an int and a negative n (round(1234, -2) == 1200, half to even).</summary>
    public static object RoundInt(object i, int ndigits) => throw new NotImplementedException();
    /// <summary>int(x) for a float: truncation toward zero; ValueError for nan, OverflowError for inf.</summary>
    public static object ToInt(double x) => throw new NotImplementedException();
}
