using System.Globalization;
using System.Numerics;

namespace Workflow.Values.Numbers;

/// <summary>
/// The decimal digits of a finite, non-negative double, as David Gay's dtoa gives them to CPython:
/// a digit string without trailing zeros and a decimal-point position [DecPt], meaning the value
/// 0.DIGITS × 10**DecPt. Zero is ("0", 1). Rounding is exact and half-to-even on the binary value,
/// so format(0.125, '.2f') is '0.12' and format(2.675, '.2f') is '2.67'.
/// </summary>
internal static class DecimalDigits
{
    /// <summary>
    /// Past these a double has no more digits: every one is exact with 1,074 places after the
    /// point and within 767 significant digits. Longer precisions only add zeros.
    /// </summary>
    private const int MaxPlaces = 1_100, MaxSignificant = 800;

    private static readonly ulong[] Pow10U64 = CreatePow10();

    private static ulong[] CreatePow10()
    {
        var p = new ulong[20];
        p[0] = 1;
        for (int i = 1; i < p.Length; i++) p[i] = p[i - 1] * 10;
        return p;
    }

    /// <summary>The shortest digits that round-trip (dtoa mode 0), nearest to the exact value on ties.</summary>
    public static (string Digits, int DecPt) Shortest(double x)
    {
        if (x == 0) return ("0", 1);
        // .NET Core 3.0+ prints the shortest round-trip digits, except for a few values (2**-25 is
        // one, .NET 10) where its 16 digits do not read back as x: then the correctly rounded 17
        // digits, which always do, and which are what dtoa gives for those values.
        string s = x.ToString("R", CultureInfo.InvariantCulture);
        if (double.Parse(s, CultureInfo.InvariantCulture) != x) s = x.ToString("E16", CultureInfo.InvariantCulture);
        int exponent = 0;
        int e = s.IndexOf('E');
        if (e >= 0)
        {
            exponent = int.Parse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            s = s.Substring(0, e);
        }
        int dot = s.IndexOf('.');
        int intDigits = dot < 0 ? s.Length : dot;
        string all = dot < 0 ? s : string.Concat(s.AsSpan(0, dot), s.AsSpan(dot + 1));
        int lead = 0;
        while (lead < all.Length - 1 && all[lead] == '0') lead++;
        int end = all.Length;
        while (end > lead + 1 && all[end - 1] == '0') end--;
        return (all.Substring(lead, end - lead), intDigits - lead + exponent);
    }

    /// <summary>
    /// Rounded to [ndigits] places after the decimal point (dtoa mode 3; ndigits may be negative).
    /// A value that rounds to zero gives ("", -ndigits), as dtoa does.
    /// </summary>
    public static (string Digits, int DecPt) Fixed(double x, int ndigits)
    {
        if (x == 0) return ("0", 1);
        // More places would only add zeros, which are stripped, after computing a huge power of ten.
        ndigits = Math.Min(ndigits, MaxPlaces);
        string n = RoundScaled(x, ndigits);
        if (n == "0") return ("", -ndigits);
        return StripZeros(n, n.Length - ndigits);
    }

    /// <summary>Rounded to [count] (≥ 1) significant digits (dtoa mode 2).</summary>
    public static (string Digits, int DecPt) Significant(double x, int count)
    {
        if (x == 0) return ("0", 1);
        count = Math.Min(count, MaxSignificant);
        int k = DecimalExponent(x);
        // x × 10**(count-1-k) lies in [10**(count-1), 10**count); rounding may carry it to 10**count.
        string n = RoundScaled(x, count - 1 - k);
        if (n.Length > count) return ("1", k + 2);
        return StripZeros(n, k + 1);
    }

    /// <summary>floor(log10(x)) for a finite x &gt; 0, exactly.</summary>
    private static int DecimalExponent(double x)
    {
        double log = Math.Log10(x);
        int k = (int)Math.Floor(log);
        double fraction = log - k;
        // Math.Log10 is within a few ulps, so only values very near a power of ten need checking.
        if (fraction > 1e-9 && fraction < 1 - 1e-9) return k;
        if (ComparePow10(x, k) < 0) return k - 1;
        if (ComparePow10(x, k + 1) >= 0) return k + 1;
        return k;
    }

    /// <summary>The sign of x - 10**k, computed exactly.</summary>
    private static int ComparePow10(double x, int k)
    {
        var (m, e) = Decompose(x);
        BigInteger left = m, right = BigInteger.One;
        if (e > 0) left <<= e;
        else right <<= -e;
        if (k >= 0) right *= BigInteger.Pow(10, k);
        else left *= BigInteger.Pow(10, -k);
        return left.CompareTo(right);
    }

    /// <summary>x = m × 2**e with an integer m (53 bits at most).</summary>
    private static (ulong M, int E) Decompose(double x)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        int biased = (int)((bits >> 52) & 0x7FF);
        ulong m = (ulong)bits & ((1UL << 52) - 1);
        if (biased == 0) return (m, -1074);
        return (m | (1UL << 52), biased - 1075);
    }

    private static (string, int) StripZeros(string n, int decPt)
    {
        int end = n.Length;
        while (end > 1 && n[end - 1] == '0') end--;
        return (end == n.Length ? n : n.Substring(0, end), decPt);
    }

    /// <summary>The decimal text of round-half-even(x × 10**k) for a finite x &gt; 0, computed exactly.</summary>
    internal static string RoundScaled(double x, int k)
    {
        var (m, e) = Decompose(x);

        // The common case (a moderate value, a handful of decimals) fits in 128 bits.
        if (k >= 0 && k < Pow10U64.Length && e <= 0 && e > -128)
        {
            UInt128 num = (UInt128)m * Pow10U64[k];
            if (e == 0) return num.ToString(CultureInfo.InvariantCulture);
            int s = -e;
            UInt128 q = num >> s;
            UInt128 rem = num - (q << s);
            UInt128 half = UInt128.One << (s - 1);
            if (rem > half || (rem == half && (q & 1) == 1)) q++;
            return q.ToString(CultureInfo.InvariantCulture);
        }

        BigInteger numerator = m, denominator = BigInteger.One;
        if (e > 0) numerator <<= e;
        else denominator <<= -e;
        if (k >= 0) numerator *= BigInteger.Pow(10, k);
        else denominator *= BigInteger.Pow(10, -k);
        var quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
        int c = (remainder << 1).CompareTo(denominator);
        if (c > 0 || (c == 0 && !quotient.IsEven)) quotient += 1;
        return quotient.ToString(CultureInfo.InvariantCulture);
    }
}
