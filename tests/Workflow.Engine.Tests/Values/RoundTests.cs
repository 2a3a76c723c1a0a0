using Workflow.Values.Numbers;
using static Workflow.Tests.Values.Py;

namespace Workflow.Tests.Values;

public class RoundTests
{
    // Arguments and results are IEEE bit patterns; the comment shows the CPython 3.11 expression and its value.
    [Theory]
    [InlineData(0x4005666666666666UL, 2, 0x40055C28F5C28F5CUL)] // round(2.675, 2) == 2.67
    [InlineData(0x3FE0000000000000UL, 0, 0x0000000000000000UL)] // round(0.5, 0) == 0.0
    [InlineData(0x3FF8000000000000UL, 0, 0x4000000000000000UL)] // round(1.5, 0) == 2.0
    [InlineData(0x4004000000000000UL, 0, 0x4000000000000000UL)] // round(2.5, 0) == 2.0
    [InlineData(0xBFE0000000000000UL, 0, 0x8000000000000000UL)] // round(-0.5, 0) == -0.0
    [InlineData(0xC004000000000000UL, 0, 0xC000000000000000UL)] // round(-2.5, 0) == -2.0
    [InlineData(0x3FC0000000000000UL, 2, 0x3FBEB851EB851EB8UL)] // round(0.125, 2) == 0.12
    [InlineData(0x3FD8000000000000UL, 2, 0x3FD851EB851EB852UL)] // round(0.375, 2) == 0.38
    [InlineData(0x3FF0147AE147AE14UL, 2, 0x3FF0000000000000UL)] // round(1.005, 2) == 1.0
    [InlineData(0x405EDD2F1A9FBE77UL, -1, 0x405E000000000000UL)] // round(123.456, -1) == 120.0
    [InlineData(0x405EDD2F1A9FBE77UL, -2, 0x4059000000000000UL)] // round(123.456, -2) == 100.0
    [InlineData(0x40934A0000000000UL, -1, 0x4093380000000000UL)] // round(1234.5, -1) == 1230.0
    [InlineData(0x0000000000000001UL, 323, 0x0000000000000000UL)] // round(5e-324, 323) == 0.0
    [InlineData(0x0000000000000001UL, 324, 0x0000000000000001UL)] // round(5e-324, 324) == 5e-324
    [InlineData(0x7E37E43C8800759CUL, -301, 0x0000000000000000UL)] // round(1e+300, -301) == 0.0
    [InlineData(0x3FE0000000000000UL, -1, 0x0000000000000000UL)] // round(0.5, -1) == 0.0
    [InlineData(0xBFD999999999999AUL, 0, 0x8000000000000000UL)] // round(-0.4, 0) == -0.0
    [InlineData(0x3EE9E409301B5A02UL, 7, 0x3EE9CB8320B15070UL)] // round(1.23456789e-05, 7) == 1.23e-05
    [InlineData(0x4023FD70A3D70A3DUL, 2, 0x4023FAE147AE147BUL)] // round(9.995, 2) == 9.99
    [InlineData(0x3FD3333333333334UL, 15, 0x3FD3333333333333UL)] // round(0.30000000000000004, 15) == 0.3
    [InlineData(0x3FD3333333333334UL, 16, 0x3FD3333333333333UL)] // round(0.30000000000000004, 16) == 0.3
    [InlineData(0x3FD3333333333334UL, 17, 0x3FD3333333333334UL)] // round(0.30000000000000004, 17) == 0.30000000000000004
    [InlineData(0x4004000000000000UL, 400, 0x4004000000000000UL)] // round(2.5, 400) == 2.5
    [InlineData(0x81B01297D23AB683UL, 400, 0x81B01297D23AB683UL)] // round(-1.5e-300, 400) == -1.5e-300
    [InlineData(0x4341C37937E08001UL, -1, 0x4341C37937E08000UL)] // round(1.0000000000000002e+16, -1) == 1e+16
    [InlineData(0x401C000000000000UL, -1, 0x4024000000000000UL)] // round(7.0, -1) == 10.0
    [InlineData(0x402E000000000000UL, -1, 0x4034000000000000UL)] // round(15.0, -1) == 20.0
    [InlineData(0x4039000000000000UL, -1, 0x4034000000000000UL)] // round(25.0, -1) == 20.0
    [InlineData(0x4041800000000000UL, -1, 0x4044000000000000UL)] // round(35.0, -1) == 40.0
    [InlineData(0x7FEFFFFFFFFFFFFFUL, -300, 0x7FEFFFFFFE8C42F7UL)] // round(1.7976931348623157e+308, -300) == 1.79769313e+308
    [InlineData(0x400921F9F01B866EUL, 3, 0x400922D0E5604189UL)] // round(3.14159, 3) == 3.142
    [InlineData(0xC00921F9F01B866EUL, 3, 0xC00922D0E5604189UL)] // round(-3.14159, 3) == -3.142
    [InlineData(0x3DDB7CDFD9D7BDBBUL, 5, 0x0000000000000000UL)] // round(1e-10, 5) == 0.0
    [InlineData(0xBDDB7CDFD9D7BDBBUL, 5, 0x8000000000000000UL)] // round(-1e-10, 5) == -0.0
    public void RoundToDigits_MatchesCPython(ulong xBits, int ndigits, ulong expectedBits)
    {
        Assert.Equal(expectedBits, (ulong)BitConverter.DoubleToInt64Bits(FloatOps.Round(D(xBits), ndigits)));
    }

    [Theory]
    [InlineData(0x3FE0000000000000UL, "0")] // round(0.5) == 0
    [InlineData(0x3FF8000000000000UL, "2")] // round(1.5) == 2
    [InlineData(0x4004000000000000UL, "2")] // round(2.5) == 2
    [InlineData(0xBFE0000000000000UL, "0")] // round(-0.5) == 0
    [InlineData(0xBFF8000000000000UL, "-2")] // round(-1.5) == -2
    [InlineData(0xC004000000000000UL, "-2")] // round(-2.5) == -2
    [InlineData(0x400D99999999999AUL, "4")] // round(3.7) == 4
    [InlineData(0xC00D99999999999AUL, "-4")] // round(-3.7) == -4
    [InlineData(0x4415AF1D78B58C40UL, "100000000000000000000")] // round(1e+20) == 100000000000000000000
    [InlineData(0x4450000000000001UL, "1180591620717411565568")] // round(1.1805916207174116e+21) == 1180591620717411565568
    [InlineData(0x3FDFFFFFFFFFFFFFUL, "0")] // round(0.49999999999999994) == 0
    [InlineData(0x4330000000000001UL, "4503599627370497")] // round(4503599627370497.0) == 4503599627370497
    [InlineData(0x8000000000000000UL, "0")] // round(-0.0) == 0
    public void RoundToInt_IsHalfToEven(ulong xBits, string expected)
    {
        Assert.Equal(expected, IntOps.ToString(FloatOps.Round(D(xBits))));
    }

    [Theory]
    [InlineData("1234", -2, "1200")] // round(1234, -2)
    [InlineData("1250", -2, "1200")] // round(1250, -2)
    [InlineData("1350", -2, "1400")] // round(1350, -2)
    [InlineData("-1250", -2, "-1200")] // round(-1250, -2)
    [InlineData("-1350", -2, "-1400")] // round(-1350, -2)
    [InlineData("5", -1, "0")] // round(5, -1)
    [InlineData("15", -1, "20")] // round(15, -1)
    [InlineData("25", -1, "20")] // round(25, -1)
    [InlineData("-5", -1, "0")] // round(-5, -1)
    [InlineData("123", 2, "123")] // round(123, 2)
    [InlineData("1180591620717411803424", -6, "1180591620717412000000")] // round(1180591620717411803424, -6)
    [InlineData("1000000000000000000005000000000", -10, "1000000000000000000000000000000")] // round(1000000000000000000005000000000, -10)
    [InlineData("-1000000000000000000005000000000", -10, "-1000000000000000000000000000000")] // round(-1000000000000000000005000000000, -10)
    [InlineData("7", -50, "0")] // round(7, -50)
    public void RoundInt_NegativeDigits_IsHalfToEven(string value, int ndigits, string expected)
    {
        Assert.Equal(expected, IntOps.ToString(FloatOps.RoundInt(Big(value), ndigits)));
    }

    [Fact]
    public void Round_Errors_MatchCPython()
    {
        // round(float('inf')), round(float('nan')), round(1.7976931348623157e308, -308)
        Raises("OverflowError", "cannot convert float infinity to integer", () => FloatOps.Round(double.PositiveInfinity));
        Raises("ValueError", "cannot convert float NaN to integer", () => FloatOps.Round(double.NaN));
        Raises("OverflowError", "rounded value too large to represent", () => FloatOps.Round(double.MaxValue, -308));
    }

    [Fact]
    public void Round_KeepsInfinityNanAndSignedZero()
    {
        Assert.Equal(double.PositiveInfinity, FloatOps.Round(double.PositiveInfinity, 2));
        Assert.True(double.IsNaN(FloatOps.Round(double.NaN, 2)));
        // round(-0.4, 0) == -0.0 and round(-5.0, -400) == -0.0
        Assert.Equal("-0.0", NumberText.FloatRepr(FloatOps.Round(-0.4, 0)));
        Assert.Equal("-0.0", NumberText.FloatRepr(FloatOps.Round(-5.0, -400)));
    }
}
