using System.Text;

namespace Workflow.Values.Numbers;

/// <summary>
/// CPython's PyOS_double_to_string: lays out the digits of a double in one of the styles
/// 'e', 'f', 'g' (precision-driven) or 'r' (shortest round-trip, as repr uses it).
/// </summary>
internal static class FloatFormatter
{
    /// <param name="x">The value; its sign (including -0.0) is printed.</param>
    /// <param name="type">'e', 'f', 'g' or 'r'.</param>
    /// <param name="precision">Digits after the point for 'e' and 'f', significant digits for 'g' (0 means 1); ignored for 'r'.</param>
    /// <param name="alternate">The '#' flag: keep a trailing point and, for 'g', trailing zeros.</param>
    /// <param name="addDot0">Give integral fixed-notation results a '.0' (repr, and format without a type).</param>
    /// <param name="upper">'E', 'INF' and 'NAN' instead of lower case.</param>
    /// <param name="noNegativeZero">The 'z' flag: drop the sign of a result that rounds to zero.</param>
    public static string Format(double x, char type, int precision, bool alternate = false, bool addDot0 = false,
        bool upper = false, bool noNegativeZero = false)
    {
        if (double.IsNaN(x)) return upper ? "NAN" : "nan";
        bool negative = double.IsNegative(x);
        if (double.IsInfinity(x)) return (negative ? "-" : "") + (upper ? "INF" : "inf");

        double abs = Math.Abs(x);
        (string digits, int decPt) = type switch
        {
            'e' => DecimalDigits.Significant(abs, precision + 1),
            'f' => DecimalDigits.Fixed(abs, precision),
            'g' => DecimalDigits.Significant(abs, precision == 0 ? 1 : precision),
            _ => DecimalDigits.Shortest(abs),
        };
        if (type == 'g' && precision == 0) precision = 1;
        if (noNegativeZero && negative && (digits.Length == 0 || digits == "0")) negative = false;

        // The output is a slice [start, end) of the digit string padded with zeros on both sides,
        // with the decimal point before position decPt.
        int end = digits.Length;
        bool useExp = false;
        switch (type)
        {
            case 'e':
                useExp = true;
                end = precision + 1;
                break;
            case 'f':
                end = decPt + precision;
                break;
            case 'g':
                if (decPt <= -4 || decPt > (addDot0 ? precision - 1 : precision)) useExp = true;
                if (alternate) end = precision;
                break;
            default:
                // repr switches to exponent notation at 1e16 (and below 1e-4).
                if (decPt <= -4 || decPt > 16) useExp = true;
                break;
        }
        int exp = 0;
        if (useExp)
        {
            exp = decPt - 1;
            decPt = 1;
        }
        int start = decPt <= 0 ? decPt - 1 : 0;
        if (!useExp && addDot0) end = Math.Max(end, decPt + 1);
        else end = Math.Max(end, decPt);

        var sb = new StringBuilder(Math.Max(16, end - start + 8));
        if (negative) sb.Append('-');
        if (decPt <= 0)
        {
            sb.Append('0', decPt - start);
            sb.Append('.');
            sb.Append('0', -decPt);
        }
        else
        {
            sb.Append('0', -start);
        }
        if (decPt > 0 && decPt <= digits.Length)
        {
            sb.Append(digits, 0, decPt);
            sb.Append('.');
            sb.Append(digits, decPt, digits.Length - decPt);
        }
        else
        {
            sb.Append(digits);
        }
        if (digits.Length < decPt)
        {
            sb.Append('0', decPt - digits.Length);
            sb.Append('.');
            sb.Append('0', end - decPt);
        }
        else
        {
            sb.Append('0', end - digits.Length);
        }
        if (sb[^1] == '.' && !alternate) sb.Length--;
        if (useExp)
        {
            sb.Append(upper ? 'E' : 'e');
            sb.Append(exp < 0 ? '-' : '+');
            int a = Math.Abs(exp);
            if (a < 10) sb.Append('0');
            sb.Append(a);
        }
        return sb.ToString();
    }
}
