using System.Numerics;
using Workflow.Values.Numbers;
using static Workflow.Tests.Values.Py;

namespace Workflow.Tests.Values;

public class NumberParsingTests
{
    [Theory]
    [InlineData("  42\n", 10, "42")] // int('  42\n', 10)
    [InlineData("1_000", 10, "1000")] // int('1_000', 10)
    [InlineData("0x1f", 16, "31")] // int('0x1f', 16)
    [InlineData("0x1f", 0, "31")] // int('0x1f', 0)
    [InlineData("0X1F", 0, "31")] // int('0X1F', 0)
    [InlineData("z", 36, "35")] // int('z', 36)
    [InlineData("Z", 36, "35")] // int('Z', 36)
    [InlineData("0_0", 0, "0")] // int('0_0', 0)
    [InlineData("00", 0, "0")] // int('00', 0)
    [InlineData("0x_1", 0, "1")] // int('0x_1', 0)
    [InlineData("0x_1", 16, "1")] // int('0x_1', 16)
    [InlineData(" -5 ", 10, "-5")] // int(' -5 ', 10)
    [InlineData("0o17", 8, "15")] // int('0o17', 8)
    [InlineData("0o17", 0, "15")] // int('0o17', 0)
    [InlineData("0B11", 2, "3")] // int('0B11', 2)
    [InlineData("0b1", 16, "177")] // int('0b1', 16)
    [InlineData("\u0661\u0662\u0663", 10, "123")] // int('١٢٣', 10)
    [InlineData("12\u00a0", 10, "12")] // int('12\xa0', 10)
    [InlineData("\u2003 7", 10, "7")] // int('\u2003 7', 10)
    [InlineData("12a", 16, "298")] // int('12a', 16)
    [InlineData("0b1_0", 0, "2")] // int('0b1_0', 0)
    [InlineData("-0", 10, "0")] // int('-0', 10)
    [InlineData("+0x10", 0, "16")] // int('+0x10', 0)
    [InlineData("-0b11", 0, "-3")] // int('-0b11', 0)
    [InlineData("000", 10, "0")] // int('000', 10)
    [InlineData("0010", 10, "10")] // int('0010', 10)
    [InlineData("9223372036854775807", 10, "9223372036854775807")] // int('9223372036854775807', 10)
    [InlineData("9223372036854775808", 10, "9223372036854775808")] // int('9223372036854775808', 10)
    [InlineData("-9223372036854775808", 10, "-9223372036854775808")] // int('-9223372036854775808', 10)
    [InlineData("-9223372036854775809", 10, "-9223372036854775809")] // int('-9223372036854775809', 10)
    [InlineData("123456789012345678901234567890", 10, "123456789012345678901234567890")] // int('123456789012345678901234567890', 10)
    [InlineData("zzzzzzzzzzzzzzz", 36, "221073919720733357899775")] // int('zzzzzzzzzzzzzzz', 36)
    public void ParseInt_MatchesCPython(string text, int @base, string expected)
    {
        Assert.Equal(expected, IntOps.ToString(NumberText.ParseInt(text, @base)));
    }

    [Fact]
    public void ParseInt_LongTexts_MatchCPython()
    {
        Raises("ValueError", "invalid literal for int() with base 10: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", () => NumberText.ParseInt(new string('x', 300), 10)); // int('x' * 300, 10)
        Assert.Equal(14285, (long)IntOps.ToBig(NumberText.ParseInt(new string('9', 4300), 10)).GetBitLength()); // int('9' * 4300, 10).bit_length()
        Raises("ValueError", "Exceeds the limit (4300 digits) for integer string conversion: value has 4301 digits; use sys.set_int_max_str_digits() to increase the limit", () => NumberText.ParseInt(new string('9', 4301), 10)); // int('9' * 4301, 10)
        Raises("ValueError", "Exceeds the limit (4300 digits) for integer string conversion: value has 4301 digits; use sys.set_int_max_str_digits() to increase the limit", () => NumberText.ParseInt("1_" + new string('9', 4300), 10)); // int('1_9999' + ..., 10)
        Assert.Equal(17600, (long)IntOps.ToBig(NumberText.ParseInt(new string('f', 4400), 16)).GetBitLength()); // int('f' * 4400, 16).bit_length()
    }

    [Theory]
    [InlineData("010", 0, "ValueError", "invalid literal for int() with base 0: '010'")] // int('010', 0)
    [InlineData("0b", 0, "ValueError", "invalid literal for int() with base 0: '0b'")] // int('0b', 0)
    [InlineData("_1", 10, "ValueError", "invalid literal for int() with base 10: '_1'")] // int('_1', 10)
    [InlineData("1_", 10, "ValueError", "invalid literal for int() with base 10: '1_'")] // int('1_', 10)
    [InlineData("1__2", 10, "ValueError", "invalid literal for int() with base 10: '1__2'")] // int('1__2', 10)
    [InlineData("+ 5", 10, "ValueError", "invalid literal for int() with base 10: '+ 5'")] // int('+ 5', 10)
    [InlineData("--5", 10, "ValueError", "invalid literal for int() with base 10: '--5'")] // int('--5', 10)
    [InlineData("", 10, "ValueError", "invalid literal for int() with base 10: ''")] // int('', 10)
    [InlineData("  ", 10, "ValueError", "invalid literal for int() with base 10: '  '")] // int('  ', 10)
    [InlineData("1\u001c", 10, "ValueError", "invalid literal for int() with base 10: '1\\x1c'")] // int('1\x1c', 10)
    [InlineData("0x", 16, "ValueError", "invalid literal for int() with base 16: '0x'")] // int('0x', 16)
    [InlineData("0xg", 16, "ValueError", "invalid literal for int() with base 16: '0xg'")] // int('0xg', 16)
    [InlineData("1e5", 10, "ValueError", "invalid literal for int() with base 10: '1e5'")] // int('1e5', 10)
    [InlineData("1.0", 10, "ValueError", "invalid literal for int() with base 10: '1.0'")] // int('1.0', 10)
    [InlineData("0_", 0, "ValueError", "invalid literal for int() with base 0: '0_'")] // int('0_', 0)
    [InlineData("7", 7, "ValueError", "invalid literal for int() with base 7: '7'")] // int('7', 7)
    [InlineData("8", 8, "ValueError", "invalid literal for int() with base 8: '8'")] // int('8', 8)
    [InlineData("0 x1", 0, "ValueError", "invalid literal for int() with base 0: '0 x1'")] // int('0 x1', 0)
    [InlineData("1", 1, "ValueError", "int() base must be >= 2 and <= 36, or 0")] // int('1', 1)
    [InlineData("1", 37, "ValueError", "int() base must be >= 2 and <= 36, or 0")] // int('1', 37)
    public void ParseInt_RaisesLikeCPython(string text, int @base, string type, string message)
    {
        Raises(type, message, () => NumberText.ParseInt(text, @base));
    }

    [Theory]
    [InlineData(" 1e3 ", "1000.0")] // repr(float(' 1e3 '))
    [InlineData("-inf", "-inf")] // repr(float('-inf'))
    [InlineData("nan", "nan")] // repr(float('nan'))
    [InlineData("-Infinity", "-inf")] // repr(float('-Infinity'))
    [InlineData("+iNf", "inf")] // repr(float('+iNf'))
    [InlineData("infinity", "inf")] // repr(float('infinity'))
    [InlineData("1_000.5", "1000.5")] // repr(float('1_000.5'))
    [InlineData("1.5_0", "1.5")] // repr(float('1.5_0'))
    [InlineData(".5", "0.5")] // repr(float('.5'))
    [InlineData("5.", "5.0")] // repr(float('5.'))
    [InlineData("1e400", "inf")] // repr(float('1e400'))
    [InlineData("-1e400", "-inf")] // repr(float('-1e400'))
    [InlineData("1e-400", "0.0")] // repr(float('1e-400'))
    [InlineData("\u0661.5", "1.5")] // repr(float('١.5'))
    [InlineData("1.5\u2003", "1.5")] // repr(float('1.5\u2003'))
    [InlineData("12\u00a0", "12.0")] // repr(float('12\xa0'))
    [InlineData("0.1e-1_0", "1e-11")] // repr(float('0.1e-1_0'))
    [InlineData("1_2.3_4e1_0", "123400000000.0")] // repr(float('1_2.3_4e1_0'))
    [InlineData("2.4703282292062327e-324", "0.0")] // repr(float('2.4703282292062327e-324'))
    [InlineData("2.4703282292062328e-324", "5e-324")] // repr(float('2.4703282292062328e-324'))
    [InlineData("1.7976931348623158e308", "1.7976931348623157e+308")] // repr(float('1.7976931348623158e308'))
    [InlineData("1.7976931348623159e308", "inf")] // repr(float('1.7976931348623159e308'))
    [InlineData("0.1", "0.1")] // repr(float('0.1'))
    [InlineData("123456789012345678901234567890", "1.2345678901234568e+29")] // repr(float('123456789012345678901234567890'))
    public void ParseFloat_MatchesCPython(string text, string expectedRepr)
    {
        Assert.Equal(expectedRepr, NumberText.FloatRepr(NumberText.ParseFloat(text)));
    }

    [Theory]
    [InlineData("infinit", "could not convert string to float: 'infinit'")] // float('infinit')
    [InlineData("1__0", "could not convert string to float: '1__0'")] // float('1__0')
    [InlineData("_1", "could not convert string to float: '_1'")] // float('_1')
    [InlineData("1_", "could not convert string to float: '1_'")] // float('1_')
    [InlineData("1_e5", "could not convert string to float: '1_e5'")] // float('1_e5')
    [InlineData("1e_5", "could not convert string to float: '1e_5'")] // float('1e_5')
    [InlineData(".", "could not convert string to float: '.'")] // float('.')
    [InlineData("e5", "could not convert string to float: 'e5'")] // float('e5')
    [InlineData("1e", "could not convert string to float: '1e'")] // float('1e')
    [InlineData("1e+", "could not convert string to float: '1e+'")] // float('1e+')
    [InlineData("0x10", "could not convert string to float: '0x10'")] // float('0x10')
    [InlineData(" 1 2", "could not convert string to float: ' 1 2'")] // float(' 1 2')
    [InlineData("", "could not convert string to float: ''")] // float('')
    [InlineData("\u221e", "could not convert string to float: '\u221e'")] // float('∞')
    [InlineData("1._5", "could not convert string to float: '1._5'")] // float('1._5')
    [InlineData("+-1", "could not convert string to float: '+-1'")] // float('+-1')
    public void ParseFloat_RaisesLikeCPython(string text, string message)
    {
        Raises("ValueError", message, () => NumberText.ParseFloat(text));
    }
}
