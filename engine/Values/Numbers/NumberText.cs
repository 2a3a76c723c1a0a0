using System.Globalization;
using System.Numerics;
using System.Text;
using Workflow.Runtime;
using Workflow.Values.Text;

namespace Workflow.Values.Numbers;

/// <summary>Converting numbers to and from text exactly as CPython does.</summary>
internal static class NumberText
{
    /// <summary>repr(float) == str(float): shortest round-trip digits; '1e+16', '1.5e-05', '0.1', '100.0', 'inf', '-inf', 'nan', '-0.0'.</summary>
    public static string FloatRepr(double d) => FloatFormatter.Format(d, 'r', 0, addDot0: true);

    /// <summary>int(text, base): whitespace, sign, '_' separators, base prefixes when base is 0 or matches; ValueError "invalid literal for int() with base 10: 'x'" (the repr of the text).</summary>
    public static object ParseInt(string text, int @base)
    {
        if (@base != 0 && (@base < 2 || @base > 36))
            throw Errors.ValueError("int() base must be >= 2 and <= 36, or 0");
        var result = TryParseInt(text, @base);
        if (result != null) return result;
        // CPython shows the repr of the argument cut to 200 characters ("%.200R").
        string shown = StrRepr.Repr(text);
        if (shown.Length > 200) shown = shown.Substring(0, 200);
        throw Errors.ValueError($"invalid literal for int() with base {@base}: {shown}");
    }

    private static object? TryParseInt(string text, int @base)
    {
        // Unicode whitespace and decimal digits of any script count as their ASCII equivalents.
        int start = 0, end = text.Length;
        while (start < end && IsNumberSpace(text[start])) start++;
        while (end > start && IsNumberSpace(text[end - 1])) end--;
        if (start == end) return null;

        bool negative = false;
        if (text[start] == '+' || text[start] == '-')
        {
            negative = text[start] == '-';
            start++;
        }
        if (start == end) return null;

        bool prefixed = false;
        if (text[start] == '0' && end - start >= 2)
        {
            int radix = char.ToLowerInvariant(text[start + 1]) switch { 'x' => 16, 'o' => 8, 'b' => 2, _ => 0 };
            if (radix != 0 && (@base == 0 || @base == radix))
            {
                @base = radix;
                start += 2;
                prefixed = true;
            }
        }
        bool baseZeroDecimal = @base == 0;
        if (@base == 0) @base = 10;

        // Collect digit values, checking that each '_' sits between digits (or right after a prefix).
        Span<byte> digits = end - start <= 64 ? stackalloc byte[64] : new byte[end - start];
        int count = 0;
        bool lastUnderscore = false;
        for (int i = start, len; i < end; i += len)
        {
            int c = CharInfo.CodePointAt(text, i, out len);
            if (c == '_')
            {
                if (lastUnderscore || (count == 0 && !prefixed)) return null;
                lastUnderscore = true;
                continue;
            }
            int v = DigitValue(c);
            if (v < 0 || v >= @base) return null;
            digits[count++] = (byte)v;
            lastUnderscore = false;
        }
        if (count == 0 || lastUnderscore) return null;

        // With base 0, a decimal literal may not have leading zeros (except zero itself).
        if (baseZeroDecimal && digits[0] == 0)
        {
            for (int i = 1; i < count; i++) if (digits[i] != 0) return null;
        }

        if ((@base & (@base - 1)) != 0 && count > IntOps.MaxStrDigits)
            throw Errors.ValueError(
                $"Exceeds the limit ({IntOps.MaxStrDigits} digits) for integer string conversion: value has {count} digits; use sys.set_int_max_str_digits() to increase the limit");

        return Accumulate(digits.Slice(0, count), @base, negative);
    }

    /// <summary>
    /// The whitespace int() and float() ignore around a number: C's isspace for ASCII (so not the
    /// separators \x1c-\x1f that str.isspace accepts) and Unicode whitespace beyond it.
    /// </summary>
    private static bool IsNumberSpace(char c) =>
        c < 0x80 ? c == ' ' || (c >= '\t' && c <= '\r') : CharInfo.IsSpace(c);

    private static int DigitValue(int c)
    {
        if (c < 0x80)
        {
            if (c >= '0' && c <= '9') return c - '0';
            int lower = c | 0x20;
            if (lower >= 'a' && lower <= 'z') return lower - 'a' + 10;
            return -1;
        }
        return CharInfo.DecimalValue(c);
    }

    private static object Accumulate(ReadOnlySpan<byte> digits, int @base, bool negative)
    {
        // 12 base-36 digits, or 18 decimal ones, always fit in a long.
        int fast = @base <= 10 ? 18 : 12;
        if (digits.Length <= fast)
        {
            long v = 0;
            foreach (byte d in digits) v = v * @base + d;
            return Boxes.Int(negative ? -v : v);
        }
        if ((@base & (@base - 1)) == 0)
        {
            var packed = PackBits(digits, System.Numerics.BitOperations.Log2((uint)@base));
            return IntOps.Normalize(negative ? -packed : packed);
        }
        BigInteger big = BigInteger.Zero;
        // Take the digits in chunks that fit in a long, to keep the BigInteger work small.
        int chunk = fast;
        BigInteger chunkScale = BigInteger.Pow(@base, chunk);
        int i = 0;
        int first = digits.Length % chunk;
        if (first == 0) first = chunk;
        while (i < digits.Length)
        {
            int n = i == 0 ? first : chunk;
            long part = 0;
            for (int k = 0; k < n; k++) part = part * @base + digits[i + k];
            big = i == 0 ? part : big * chunkScale + part;
            i += n;
        }
        return IntOps.Normalize(negative ? -big : big);
    }

    /// <summary>
    /// The value of [digits] in base 2^[bitsPerDigit], each digit's bits laid straight into place:
    /// linear in the length, where multiplying and adding chunk by chunk would be quadratic, and
    /// these bases have no digit limit (int('f' * 10**7, 16) is allowed, as in CPython).
    /// </summary>
    private static BigInteger PackBits(ReadOnlySpan<byte> digits, int bitsPerDigit)
    {
        BuiltinWork.Chars(digits.Length);
        // One spare byte keeps the top bit from reading as a sign.
        var bytes = new byte[(long)digits.Length * bitsPerDigit / 8 + 2];
        long bit = 0;
        for (int i = digits.Length - 1; i >= 0; i--, bit += bitsPerDigit)
        {
            int d = digits[i];
            for (int k = 0; k < bitsPerDigit; k++)
                if ((d >> k & 1) != 0) bytes[(bit + k) >> 3] |= (byte)(1 << (int)((bit + k) & 7));
        }
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: false);
    }

    /// <summary>float(text): 'inf', '-Infinity', 'nan', '1e5', ' 2.5 ', '1_000.5'; ValueError "could not convert string to float: 'x'".</summary>
    public static double ParseFloat(string text)
    {
        if (TryParseFloat(text, out double value)) return value;
        throw Errors.ValueError($"could not convert string to float: {StrRepr.Repr(text)}");
    }

    private static bool TryParseFloat(string text, out double value)
    {
        value = 0;
        int start = 0, end = text.Length;
        while (start < end && IsNumberSpace(text[start])) start++;
        while (end > start && IsNumberSpace(text[end - 1])) end--;
        if (start == end) return false;

        // Build a plain ASCII literal for double.Parse, validating Python's grammar on the way.
        var sb = new StringBuilder(end - start);
        int i = start;
        if (text[i] == '+' || text[i] == '-') sb.Append(text[i++]);
        string rest = text.Substring(i, end - i);
        if (IsSpecial(rest, out double special))
        {
            value = sb.Length > 0 && sb[0] == '-' ? -special : special;
            return true;
        }

        int intDigits = ReadDigits(text, ref i, end, sb);
        if (intDigits < 0) return false;
        int fracDigits = 0;
        if (i < end && text[i] == '.')
        {
            sb.Append('.');
            i++;
            fracDigits = ReadDigits(text, ref i, end, sb);
            if (fracDigits < 0) return false;
        }
        if (intDigits + fracDigits == 0) return false;
        if (i < end && (text[i] == 'e' || text[i] == 'E'))
        {
            sb.Append('e');
            i++;
            if (i < end && (text[i] == '+' || text[i] == '-')) sb.Append(text[i++]);
            if (ReadDigits(text, ref i, end, sb) <= 0) return false;
        }
        if (i != end) return false;
        value = double.Parse(sb.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture);
        return true;
    }

    /// <summary>Reads digits with single '_' between them into [sb]; the digit count, or -1 on a misplaced '_'.</summary>
    private static int ReadDigits(string text, ref int i, int end, StringBuilder sb)
    {
        int count = 0;
        while (i < end)
        {
            int v = DecimalAt(text, i, out int len);
            if (v >= 0)
            {
                sb.Append((char)('0' + v));
                count++;
                i += len;
            }
            else if (text[i] == '_')
            {
                if (count == 0 || i + 1 >= end || DecimalAt(text, i + 1, out _) < 0) return -1;
                i++;
            }
            else break;
        }
        return count;
    }

    /// <summary>The value of the decimal digit (of any script) at [i], or -1; [length] is its UTF-16 length.</summary>
    private static int DecimalAt(string text, int i, out int length)
    {
        char c = text[i];
        if (c < 0x80)
        {
            length = 1;
            return c >= '0' && c <= '9' ? c - '0' : -1;
        }
        return CharInfo.DecimalValue(CharInfo.CodePointAt(text, i, out length));
    }

    private static bool IsSpecial(string s, out double value)
    {
        if (s.Equals("inf", StringComparison.OrdinalIgnoreCase) || s.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = double.PositiveInfinity;
            return true;
        }
        if (s.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return true;
        }
        value = 0;
        return false;
    }
}
