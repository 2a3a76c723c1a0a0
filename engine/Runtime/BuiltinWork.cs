using System.Numerics;
using System.Runtime.CompilerServices;

namespace Workflow.Runtime;

/// <summary>
/// What built-ins charge to the running interpreter (Interpreter.ChargeWork) for work they do in
/// C#, so that a script cannot hide minutes of work in one call. A tick is what one iteration of
/// a script loop costs, about 100 ns. The charges:
/// <list type="bullet">
/// <item>one tick per item a built-in visits (summing, comparing while sorting, searching a list,
/// building a list or dict), charged in batches of [Batch] as the loop goes;</item>
/// <item>one tick per [CharsPerTick] characters of text a built-in scans or builds;</item>
/// <item>for big-int multiplication, division and powers, the time the operation is estimated to
/// take (from .NET's BigInteger on the reference machine), charged before it starts: one that
/// would run past MaxTicks is refused at once instead of holding the worker for minutes.</item>
/// </list>
/// Outside a running interpreter (the compiler, unit tests of the value code) nothing is charged.
/// </summary>
internal static class BuiltinWork
{
    /// <summary>How many items a loop visits between two charges; loops shorter than this are never charged.</summary>
    public const int Batch = 4096;

    public const int CharsPerTick = 64;

    private const double NanosecondsPerTick = 100;

    /// <summary>How long [ticks] of work are expected to take, in Stopwatch ticks (for comparing with a deadline).</summary>
    public static long StopwatchTicks(long ticks) =>
        (long)Math.Min(ticks * NanosecondsPerTick * 1e-9 * System.Diagnostics.Stopwatch.Frequency, long.MaxValue / 4);

    /// <summary>Counts one item of a loop in [counter]; every [Batch] items the batch is charged.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step(ref int counter)
    {
        if (++counter == Batch)
        {
            counter = 0;
            Interpreter.ChargeRunning(Batch);
        }
    }

    /// <summary>Charges [count] items visited at once (a copy, a bulk operation); small counts are free.</summary>
    public static void Items(long count)
    {
        if (count >= Batch) Interpreter.ChargeRunning(count);
    }

    /// <summary>Charges [count] characters of text scanned or built; short texts are free.</summary>
    public static void Chars(long count)
    {
        if (count >= Batch) Interpreter.ChargeRunning(count / CharsPerTick);
    }

    /// <summary>[items] as they are enumerated, charged one tick each.</summary>
    public static IEnumerable<object> Charged(IEnumerable<object> items)
    {
        int counter = 0;
        foreach (var item in items)
        {
            Step(ref counter);
            yield return item;
        }
    }

    /// <summary>Charges a * b before it is computed.</summary>
    public static void BigMultiply(BigInteger a, BigInteger b) => ChargeNanoseconds(MultiplyNanoseconds(Words(a), Words(b)));

    /// <summary>Charges a // b (or a % b, divmod) before it is computed.</summary>
    public static void BigDivide(BigInteger a, BigInteger b) => ChargeNanoseconds(DivideNanoseconds(Words(a), Words(b)));

    /// <summary>Charges a power whose result has [resultBits] bits before it is computed.</summary>
    public static void BigPower(double resultBits)
    {
        // Squaring up to the result dominates: the last squaring, and half as much again for the ones before it.
        double half = resultBits / 128;
        ChargeNanoseconds(1.5 * MultiplyNanoseconds(half, half));
    }

    /// <summary>Charges pow(base, [exponent], [modulus]) before it is computed: per exponent bit, multiplications and reductions modulo [modulus].</summary>
    public static void BigModPower(BigInteger exponent, BigInteger modulus)
    {
        double m = Words(modulus);
        double bits = (double)BigInteger.Abs(exponent).GetBitLength();
        ChargeNanoseconds(bits * (4 * MultiplyNanoseconds(m, m) + 2 * DivideNanoseconds(2 * m, m)));
    }

    /// <summary>Charges the modular inverse pow(base, -n, [modulus]) needs: Euclid's algorithm, about 0.6 steps per bit, each step linear in the words.</summary>
    public static void BigModInverse(BigInteger modulus)
    {
        double bits = (double)modulus.GetBitLength();
        ChargeNanoseconds(2 * bits * Words(modulus));
    }

    private static double Words(BigInteger v) => v.GetBitLength() / 64.0 + 1;

    /// <summary>Schoolbook below 32 words (about 6 ns per pair of words), Karatsuba above (about 20 ns × n × m^0.585).</summary>
    private static double MultiplyNanoseconds(double n, double m)
    {
        if (n < m) (n, m) = (m, n);
        return m < 32 ? 6 * n * m : 20 * n * Math.Pow(m, 0.585);
    }

    /// <summary>Schoolbook division: about 1.5 ns per divisor word per quotient word.</summary>
    private static double DivideNanoseconds(double n, double m) => 1.5 * m * Math.Max(1, n - m + 1);

    private static void ChargeNanoseconds(double nanoseconds)
    {
        double ticks = nanoseconds / NanosecondsPerTick;
        if (ticks >= 1) Interpreter.ChargeRunning(ticks >= long.MaxValue ? long.MaxValue : (long)ticks);
    }
}
