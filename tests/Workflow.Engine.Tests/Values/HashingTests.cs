using Workflow.Values.Numbers;
using static Workflow.Tests.Values.Py;

namespace Workflow.Tests.Values;

public class HashingTests
{
    [Theory]
    [InlineData("0", 0L)] // hash(0)
    [InlineData("1", 1L)] // hash(1)
    [InlineData("-1", -2L)] // hash(-1)
    [InlineData("-2", -2L)] // hash(-2)
    [InlineData("2305843009213693950", 2305843009213693950L)] // hash(2305843009213693950)
    [InlineData("2305843009213693951", 0L)] // hash(2305843009213693951)
    [InlineData("2305843009213693952", 1L)] // hash(2305843009213693952)
    [InlineData("-2305843009213693951", 0L)] // hash(-2305843009213693951)
    [InlineData("-2305843009213693952", -2L)] // hash(-2305843009213693952)
    [InlineData("4611686018427387904", 2L)] // hash(4611686018427387904)
    [InlineData("9223372036854775807", 3L)] // hash(9223372036854775807)
    [InlineData("-9223372036854775808", -4L)] // hash(-9223372036854775808)
    [InlineData("9223372036854775808", 4L)] // hash(9223372036854775808)
    [InlineData("18446744073709551616", 8L)] // hash(18446744073709551616)
    [InlineData("-18446744073709551616", -8L)] // hash(-18446744073709551616)
    [InlineData("1000000000000000000000000000000", 465258685558744706L)] // hash(1000000000000000000000000000000)
    [InlineData("-1000000000000000000000000000000", -465258685558744706L)] // hash(-1000000000000000000000000000000)
    [InlineData("5316911983139663491615228241121378303", 0L)] // hash(5316911983139663491615228241121378303)
    [InlineData("12345678901234567890123", 195429904450476469L)] // hash(12345678901234567890123)
    public void HashInt_MatchesCPython(string value, long expected)
    {
        Assert.Equal(expected, Hashing.HashInt(Big(value)));
    }

    // The first argument is the float's IEEE bits.
    [Theory]
    [InlineData(0x3FF8000000000000UL, 1152921504606846977L)] // hash(1.5)
    [InlineData(0x3FE0000000000000UL, 1152921504606846976L)] // hash(0.5)
    [InlineData(0xBFE0000000000000UL, -1152921504606846976L)] // hash(-0.5)
    [InlineData(0x3FF0000000000000UL, 1L)] // hash(1.0)
    [InlineData(0xBFF0000000000000UL, -2L)] // hash(-1.0)
    [InlineData(0x0000000000000000UL, 0L)] // hash(0.0)
    [InlineData(0x8000000000000000UL, 0L)] // hash(-0.0)
    [InlineData(0x3FB999999999999AUL, 230584300921369408L)] // hash(0.1)
    [InlineData(0x54B249AD2594C37DUL, 1822893315824342674L)] // hash(1e+100)
    [InlineData(0x2B2BFF2EE48E0530UL, 1735222877707689105L)] // hash(1e-100)
    [InlineData(0x0000000000000001UL, 16777216L)] // hash(5e-324)
    [InlineData(0x7FEFFFFFFFFFFFFFUL, 2234066890152476671L)] // hash(1.7976931348623157e+308)
    [InlineData(0x7FF0000000000000UL, 314159L)] // hash(inf)
    [InlineData(0xFFF0000000000000UL, -314159L)] // hash(-inf)
    [InlineData(0x43C0000000000000UL, 1L)] // hash(2.305843009213694e+18)
    [InlineData(0x43D0000000000000UL, 2L)] // hash(4.611686018427388e+18)
    [InlineData(0x405EDD2F1A9FBE77UL, 1051464412201451643L)] // hash(123.456)
    [InlineData(0xC00E000000000000UL, -1729382256910270467L)] // hash(-3.75)
    [InlineData(0x4341C37937E08000UL, 10000000000000000L)] // hash(1e+16)
    public void HashFloat_MatchesCPython(ulong bits, long expected)
    {
        Assert.Equal(expected, Hashing.HashFloat(D(bits)));
    }

    [Fact]
    public void HashFloat_EqualsHashOfEqualInt()
    {
        foreach (var v in new long[] { 0, 1, -1, 2, 1 << 40, -(1L << 52), 1L << 62 })
            Assert.Equal(Hashing.HashInt(v), Hashing.HashFloat(v));
        Assert.Equal(Hashing.HashInt(true), Hashing.HashFloat(1.0));
    }

    [Fact]
    public void HashTuple_MatchesCPython()
    {
        Assert.Equal(5740354900026072187L, Hashing.HashTuple(Array.Empty<long>())); // hash(())
        Assert.Equal(-6644214454873602895L, Hashing.HashTuple(new long[] { Hashing.HashInt(Big("1")) })); // hash((1,))
        Assert.Equal(-3550055125485641917L, Hashing.HashTuple(new long[] { Hashing.HashInt(Big("1")), Hashing.HashInt(Big("2")) })); // hash((1, 2))
        Assert.Equal(529344067295497451L, Hashing.HashTuple(new long[] { Hashing.HashInt(Big("1")), Hashing.HashInt(Big("2")), Hashing.HashInt(Big("3")) })); // hash((1, 2, 3))
        Assert.Equal(8078679518589016365L, Hashing.HashTuple(new long[] { Hashing.HashInt(Big("-1")) })); // hash((-1,))
        Assert.Equal(960947337673586213L, Hashing.HashTuple(new long[] { Hashing.HashInt(Big("-1")), Hashing.HashInt(Big("-2")) })); // hash((-1, -2))
        Assert.Equal(-8572458927399070566L, Hashing.HashTuple(new long[] { Hashing.HashFloat(0.5), Hashing.HashInt(Big("1")) })); // hash((0.5, 1))
        Assert.Equal(7267574591690527098L, Hashing.HashTuple(new long[] { Hashing.HashInt(Big("1")), Hashing.HashTuple(new long[] { Hashing.HashInt(Big("2")), Hashing.HashInt(Big("3")) }) })); // hash((1, (2, 3)))
        Assert.Equal(-5486347211504344842L, Hashing.HashTuple(new long[] { Hashing.HashTuple(Array.Empty<long>()) })); // hash(((),))
        Assert.Equal(-5164621852614943976L, Hashing.HashTuple(new long[] { Hashing.HashInt(true), Hashing.HashInt(false) })); // hash((True, False))
        Assert.Equal(-1672331608507592857L, Hashing.HashTuple(new long[] { Hashing.HashInt(Big("18446744073709551616")), Hashing.HashFloat(1.5) })); // hash((18446744073709551616, 1.5))
        Assert.Equal(-3550055125485641917L, Hashing.HashTuple(new long[] { Hashing.HashFloat(1.0), Hashing.HashFloat(2.0) })); // hash((1.0, 2.0))
    }

    [Fact]
    public void HashStr_IsStableAndNeverMinusOne()
    {
        Assert.Equal(Hashing.HashStr("workflow"), Hashing.HashStr(string.Concat("work", "flow")));
        Assert.NotEqual(Hashing.HashStr("a"), Hashing.HashStr("b"));
        Assert.True(Hashing.HashStr("") >= 0);
    }
}
