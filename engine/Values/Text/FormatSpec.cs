using System.Numerics;
using System.Text;
using Workflow.Values.Numbers;

namespace Workflow.Values.Text;

/// <summary>
/// The format-specification mini-language of format(), f-strings and str.format for the built-in
/// value kinds: [fill][align][sign][z][#][0][width][grouping][.precision][type].
/// </summary>
internal static class FormatSpec
{
    /// <summary>
    /// Formats [value] (bool, long, BigInteger, double or string) by [spec]. Any other value with an
    /// empty spec is Ops.Str(value); with a non-empty spec it raises TypeError
    /// "unsupported format string passed to T.__format__". Bad specs raise CPython's ValueErrors
    /// ("Unknown format code 'd' for object of type 'float'", …).
    /// </summary>
    public static string Format(object value, string spec)
    {
        switch (value)
        {
            case string s:
                return spec.Length == 0 ? s : FormatStr(s, Spec.Parse(spec, 's', '<', "str"));
            case bool b:
                // bool inherits int.__format__, which uses str() only for an empty spec.
                return spec.Length == 0 ? (b ? "True" : "False") : FormatInt(b ? 1L : 0L, Spec.Parse(spec, 'd', '>', "bool"), "bool");
            case long or BigInteger:
                return spec.Length == 0 ? IntOps.ToString(value) : FormatInt(value, Spec.Parse(spec, 'd', '>', "int"), "int");
            case double d:
                return spec.Length == 0 ? NumberText.FloatRepr(d) : FormatFloat(d, Spec.Parse(spec, '\0', '>', "float"), "float");
            default:
                if (spec.Length == 0) return Ops.Str(value);
                throw Errors.TypeError($"unsupported format string passed to {Ops.TypeName(value)}.__format__");
        }
    }

    /// <summary>A parsed format specification. [Width] and [Precision] are -1 when absent; [Grouping] is ',', '_' or '\0'.</summary>
    private struct Spec
    {
        /// <summary>One code point: one char, or two for an astral fill character.</summary>
        public string Fill;
        public char Align;
        public char Sign;
        public bool NoNegativeZero;
        public bool Alternate;
        public long Width;
        public char Grouping;
        public long Precision;
        public char Type;

        public static Spec Parse(string spec, char defaultType, char defaultAlign, string typeName)
        {
            var f = new Spec { Fill = " ", Align = defaultAlign, Width = -1, Precision = -1, Type = defaultType };
            int pos = 0, end = spec.Length;
            bool alignSpecified = false, fillSpecified = false;
            int fillUnits = end > 0 ? CodePoints.UnitsAt(spec, 0) : 1;

            if (end - pos >= fillUnits + 1 && IsAlign(spec[pos + fillUnits]))
            {
                f.Align = spec[pos + fillUnits];
                f.Fill = spec.Substring(pos, fillUnits);
                fillSpecified = alignSpecified = true;
                pos += fillUnits + 1;
            }
            else if (end - pos >= 1 && IsAlign(spec[pos]))
            {
                f.Align = spec[pos];
                alignSpecified = true;
                pos++;
            }
            if (pos < end && (spec[pos] == '+' || spec[pos] == '-' || spec[pos] == ' ')) f.Sign = spec[pos++];
            if (pos < end && spec[pos] == 'z')
            {
                f.NoNegativeZero = true;
                pos++;
            }
            if (pos < end && spec[pos] == '#')
            {
                f.Alternate = true;
                pos++;
            }
            // A leading '0' before the width means zero padding after the sign, for numbers only.
            if (!fillSpecified && pos < end && spec[pos] == '0')
            {
                f.Fill = "0";
                if (!alignSpecified && defaultAlign == '>') f.Align = '=';
                pos++;
            }
            if (ReadInteger(spec, ref pos, out long width) == 0) width = -1;
            f.Width = width;
            if (pos < end && spec[pos] == ',')
            {
                f.Grouping = ',';
                pos++;
            }
            if (pos < end && spec[pos] == '_')
            {
                if (f.Grouping != '\0') throw Errors.ValueError("Cannot specify both ',' and '_'.");
                f.Grouping = '_';
                pos++;
            }
            if (pos < end && spec[pos] == ',') throw Errors.ValueError("Cannot specify both ',' and '_'.");
            if (pos < end && spec[pos] == '.')
            {
                pos++;
                if (ReadInteger(spec, ref pos, out long precision) == 0)
                    throw Errors.ValueError("Format specifier missing precision");
                f.Precision = precision;
            }
            if (end - pos > 1)
                throw Errors.ValueError($"Invalid format specifier '{spec}' for object of type '{typeName}'");
            if (end - pos == 1) f.Type = spec[pos];

            if (f.Grouping != '\0')
            {
                // PEP 378 allows both separators for decimal output; PEP 515 allows '_' for b, o, x, X.
                bool allowed = f.Type is 'd' or 'e' or 'f' or 'g' or 'E' or 'G' or '%' or 'F' or '\0'
                    || (f.Grouping == '_' && f.Type is 'b' or 'o' or 'x' or 'X');
                if (!allowed) throw Errors.ValueError($"Cannot specify '{f.Grouping}' with {CodeText(f.Type)}.");
            }
            return f;
        }

        private static bool IsAlign(char c) => c is '<' or '>' or '=' or '^';

        /// <summary>Reads decimal digits (of any script, as CPython does) at [pos]; returns how many.</summary>
        private static int ReadInteger(string spec, ref int pos, out long value)
        {
            long acc = 0;
            int count = 0;
            while (pos < spec.Length)
            {
                int d = CharInfo.DecimalValue(spec[pos]);
                if (d < 0) break;
                if (acc > (long.MaxValue - d) / 10) throw Errors.ValueError("Too many decimal digits in format string");
                acc = acc * 10 + d;
                pos++;
                count++;
            }
            value = acc;
            return count;
        }
    }

    /// <summary>A format code as CPython quotes it in messages: 'x', or '\xNN' outside printable ASCII.</summary>
    private static string CodeText(char type) =>
        type > 32 && type < 128 ? $"'{type}'" : $"'\\x{(int)type:x}'";

    private static string FormatStr(string s, Spec f)
    {
        if (f.Type != 's') throw Errors.ValueError($"Unknown format code {CodeText(f.Type)} for object of type 'str'");
        if (f.Sign == ' ') throw Errors.ValueError("Space not allowed in string format specifier");
        if (f.Sign != '\0') throw Errors.ValueError("Sign not allowed in string format specifier");
        if (f.NoNegativeZero) throw Errors.ValueError("Negative zero coercion (z) not allowed in string format specifier");
        if (f.Alternate) throw Errors.ValueError("Alternate form (#) not allowed in string format specifier");
        if (f.Align == '=') throw Errors.ValueError("'=' alignment not allowed in string format specifier");
        if (f.Precision >= 0 && s.Length > f.Precision && CodePoints.Length(s) > f.Precision)
            s = s.Substring(0, CodePoints.CharIndex(s, (int)f.Precision));
        return Pad(s, f.Width, f.Align, f.Fill);
    }

    /// <summary>Pads [s] to [width] code points with [fill] on the side(s) [align] asks for ('^' puts the odd one on the right).</summary>
    private static string Pad(string s, long width, char align, string fill)
    {
        int padding = CheckedWidth(width) - CodePoints.Length(s);
        if (padding <= 0) return s;
        if (fill.Length > 1) ValueSize.EnsureChars(2L * padding + s.Length);
        int left = align switch { '>' => padding, '^' => padding / 2, _ => 0 };
        return CodePoints.Repeat(fill, left) + s + CodePoints.Repeat(fill, padding - left);
    }

    private static string FormatInt(object value, Spec f, string typeName)
    {
        switch (f.Type)
        {
            case 'b': case 'c': case 'd': case 'o': case 'x': case 'X': case 'n':
                break;
            case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case '%':
                return FormatFloat(IntOps.ToDouble(value), f, typeName);
            default:
                throw Errors.ValueError($"Unknown format code {CodeText(f.Type)} for object of type '{typeName}'");
        }
        if (f.Precision != -1) throw Errors.ValueError("Precision not allowed in integer format specifier");
        if (f.NoNegativeZero) throw Errors.ValueError("Negative zero coercion (z) not allowed in integer format specifier");

        if (f.Type == 'c')
        {
            if (f.Sign != '\0') throw Errors.ValueError("Sign not allowed with integer format specifier 'c'");
            if (f.Alternate) throw Errors.ValueError("Alternate form (#) not allowed with integer format specifier 'c'");
            if (value is BigInteger) throw Errors.OverflowError("Python int too large to convert to C long");
            long cp = (long)value;
            if (cp < 0 || cp > 0x10FFFF) throw Errors.OverflowError("%c arg not in range(0x110000)");
            var ch = new StringBuilder(2);
            CharInfo.AppendCodePoint(ch, (int)cp);
            // The character is laid out as a "remainder" with no digits, so it is never grouped.
            return Layout(f, negative: false, prefix: "", digits: "", remainder: ch.ToString(), hasDecimal: false, groupSize: 0);
        }

        bool negative = value is long l ? l < 0 : ((BigInteger)value).Sign < 0;
        string digits;
        string prefix = "";
        switch (f.Type)
        {
            case 'b': case 'o': case 'x': case 'X':
                int radix = f.Type == 'b' ? 2 : f.Type == 'o' ? 8 : 16;
                digits = value is long lv && lv != long.MinValue
                    ? Convert.ToString(Math.Abs(lv), radix)
                    : IntOps.ToBaseDigits(IntOps.ToBig(value), radix);
                if (f.Alternate) prefix = f.Type == 'b' ? "0b" : f.Type == 'o' ? "0o" : "0x";
                if (f.Type == 'X')
                {
                    digits = digits.ToUpperInvariant();
                    prefix = prefix.ToUpperInvariant();
                }
                break;
            default:
                digits = IntOps.ToString(value);
                if (negative) digits = digits.Substring(1);
                break;
        }
        // 'n' uses the C locale, which has no thousands separator.
        int groupSize = f.Grouping == '\0' || f.Type == 'n' ? 0 : f.Type is 'd' ? 3 : 4;
        return Layout(f, negative, prefix, digits, remainder: "", hasDecimal: false, groupSize);
    }

    private static string FormatFloat(double x, Spec f, string typeName)
    {
        char type = f.Type;
        switch (type)
        {
            case '\0': case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'n': case '%':
                break;
            default:
                throw Errors.ValueError($"Unknown format code {CodeText(type)} for object of type '{typeName}'");
        }
        if (f.Precision > int.MaxValue) throw Errors.ValueError("precision too big");
        int precision = (int)f.Precision;
        bool addDot0 = false;
        int defaultPrecision = 6;
        if (type == '\0')
        {
            // No type: like repr without a precision, else like 'g' but always showing a '.0'.
            addDot0 = true;
            type = 'r';
            defaultPrecision = 0;
        }
        if (type == 'n') type = 'g';
        bool percent = false;
        if (type == '%')
        {
            type = 'f';
            x *= 100;
            percent = true;
        }
        if (precision < 0) precision = defaultPrecision;
        else if (type == 'r') type = 'g';
        // These write every one of [precision] digits: a result over the limit is refused before it is made.
        if (type is 'e' or 'E' or 'f' or 'F' || (f.Alternate && type is 'g' or 'G')) ValueSize.EnsureChars(precision);

        bool upper = type is 'E' or 'F' or 'G';
        string text = FloatFormatter.Format(x, char.ToLowerInvariant(type), precision, f.Alternate, addDot0, upper, f.NoNegativeZero);
        if (percent) text += "%";

        bool negative = text[0] == '-';
        if (negative) text = text.Substring(1);
        // Split into the integer digits, and the rest after the decimal point (fraction, exponent, '%').
        int digitsEnd = 0;
        while (digitsEnd < text.Length && text[digitsEnd] >= '0' && text[digitsEnd] <= '9') digitsEnd++;
        bool hasDecimal = digitsEnd < text.Length && text[digitsEnd] == '.';
        string remainder = text.Substring(hasDecimal ? digitsEnd + 1 : digitsEnd);
        int groupSize = f.Grouping == '\0' || f.Type == 'n' ? 0 : 3;
        return Layout(f, negative, "", text.Substring(0, digitsEnd), remainder, hasDecimal, groupSize);
    }

    /// <summary>[width] (-1 when absent) as a length to allocate: a padded result over the value limit is refused (MemoryError) before it is made.</summary>
    private static int CheckedWidth(long width)
    {
        ValueSize.EnsureChars(width);
        return (int)width;
    }

    /// <summary>
    /// Lays a number out as CPython's calc_number_widths and fill_number do:
    /// [left padding][sign][prefix][sign padding][grouped digits][.][remainder][right padding].
    /// With '0' fill and '=' alignment the zero padding is part of the grouped digits, so
    /// format(1234, '010,') is '00,001,234'.
    /// </summary>
    private static string Layout(Spec f, bool negative, string prefix, string digits, string remainder, bool hasDecimal, int groupSize)
    {
        string sign = f.Sign switch
        {
            '+' => negative ? "-" : "+",
            ' ' => negative ? "-" : " ",
            _ => negative ? "-" : "",
        };
        // The remainder is where a 'c' format puts its character, which may take two UTF-16 units.
        int nonDigits = sign.Length + prefix.Length + (hasDecimal ? 1 : 0) + CodePoints.Length(remainder);
        int width = CheckedWidth(f.Width);
        int minWidth = f.Fill == "0" && f.Align == '=' ? width - nonDigits : 0;
        string grouped = digits.Length == 0 ? "" : Group(digits, minWidth, groupSize, f.Grouping);
        int padding = width - (nonDigits + grouped.Length);
        int left = 0, inner = 0, right = 0;
        if (padding > 0)
        {
            switch (f.Align)
            {
                case '<': right = padding; break;
                case '^': left = padding / 2; right = padding - left; break;
                case '=': inner = padding; break;
                default: left = padding; break;
            }
        }
        if (f.Fill.Length > 1) ValueSize.EnsureChars(2L * padding + remainder.Length + nonDigits + grouped.Length);
        var sb = new StringBuilder(remainder.Length + nonDigits + grouped.Length + Math.Max(padding, 0) * f.Fill.Length);
        CodePoints.AppendRepeat(sb, f.Fill, left).Append(sign).Append(prefix);
        CodePoints.AppendRepeat(sb, f.Fill, inner).Append(grouped);
        if (hasDecimal) sb.Append('.');
        CodePoints.AppendRepeat(sb.Append(remainder), f.Fill, right);
        return sb.ToString();
    }

    /// <summary>
    /// Inserts [separator] every [groupSize] digits from the right (no grouping when 0), first
    /// padding with zeros — and separators — until the result is at least [minWidth] long.
    /// </summary>
    private static string Group(string digits, int minWidth, int groupSize, char separator)
    {
        if (groupSize == 0)
            return digits.Length >= minWidth ? digits : new string('0', minWidth - digits.Length) + digits;

        // Groups are produced right to left into [buffer], exactly as CPython's _PyUnicode_InsertThousandsGrouping.
        int longest = Math.Max(digits.Length, minWidth);
        var buffer = new char[longest + longest / groupSize + 2];
        int pos = buffer.Length;
        int remaining = digits.Length;
        int width = minWidth;
        bool separate = false;
        while (true)
        {
            int len = Math.Min(groupSize, Math.Max(Math.Max(remaining, width), 1));
            int zeros = Math.Max(0, len - remaining);
            int chars = Math.Max(0, Math.Min(remaining, len));
            if (separate) buffer[--pos] = separator;
            pos -= chars;
            digits.CopyTo(remaining - chars, buffer, pos, chars);
            for (int z = 0; z < zeros; z++) buffer[--pos] = '0';
            separate = true;
            remaining -= chars;
            width -= len;
            if (remaining <= 0 && width <= 0) break;
            width -= 1;
        }
        return new string(buffer, pos, buffer.Length - pos);
    }
}
