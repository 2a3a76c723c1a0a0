using System.Numerics;

namespace Workflow.Values.Numbers;

/// <summary>CPython 3.11's hash functions for numbers and tuples (64-bit build), so hash() prints the same.</summary>
internal static class Hashing
{
    /// <summary>The modulus 2**61 - 1 that makes equal ints and floats hash alike.</summary>
    private const long Modulus = (1L << 61) - 1;

    private const ulong XxPrime1 = 11400714785074694791UL;
    private const ulong XxPrime2 = 14029467366897019727UL;
    private const ulong XxPrime5 = 2870177450012600261UL;

    /// <summary>hash(int): modular reduction by 2**61 - 1, sign kept, -1 becomes -2.</summary>
    public static long HashInt(object i) => i switch
    {
        long l => HashLong(l),
        bool b => b ? 1 : 0,
        BigInteger big => HashBig(big),
        _ => throw new InvalidCastException($"not an int: {i.GetType().Name}"),
    };

    public static long HashLong(long l)
    {
        if (l > -Modulus && l < Modulus) return l == -1 ? -2 : l;
        if (l == long.MinValue) return -((1L << 2) % Modulus); // 2**63 ≡ 2**2 (mod 2**61 - 1)
        long h = Math.Abs(l) % Modulus;
        return l < 0 ? (h == 1 ? -2 : -h) : h;
    }

    private static long HashBig(BigInteger v)
    {
        long h = (long)(BigInteger.Abs(v) % Modulus);
        if (v.Sign < 0) h = -h;
        return h == -1 ? -2 : h;
    }

    /// <summary>hash(float): equal to the hash of an equal int; inf 314159, -inf -314159, nan 0 (we have no id()).</summary>
    public static long HashFloat(double d)
    {
        if (double.IsNaN(d)) return 0;
        if (double.IsInfinity(d)) return d > 0 ? 314159 : -314159;
        if (d == 0) return 0;
        long bits = BitConverter.DoubleToInt64Bits(d);
        int biased = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & ((1L << 52) - 1);
        int exponent;
        if (biased == 0) exponent = -1074;
        else
        {
            mantissa |= 1L << 52;
            exponent = biased - 1075;
        }
        // |d| = mantissa * 2**exponent and 2**61 ≡ 1, so the hash is the 61-bit rotation of the
        // mantissa (< 2**53, already reduced) by exponent mod 61.
        int r = exponent % 61;
        if (r < 0) r += 61;
        long x = r == 0 ? mantissa : ((mantissa << r) & Modulus) | (mantissa >> (61 - r));
        if (x == Modulus) x = 0;
        if (d < 0) x = -x;
        return x == -1 ? -2 : x;
    }

    /// <summary>hash(tuple) from the hashes of its items (the xxHash-based algorithm of 3.8+).</summary>
    public static long HashTuple(ReadOnlySpan<long> itemHashes)
    {
        ulong acc = XxPrime5;
        foreach (long lane in itemHashes)
        {
            acc += (ulong)lane * XxPrime2;
            acc = BitOperations.RotateLeft(acc, 31);
            acc *= XxPrime1;
        }
        acc += (ulong)itemHashes.Length ^ (XxPrime5 ^ 3527539UL);
        return acc == ulong.MaxValue ? 1546275796 : (long)acc;
    }

    /// <summary>
    /// hash(str). CPython randomizes this per process, so no program can depend on its value; ours is
    /// fixed instead (64-bit FNV-1a over the UTF-16 units, halved to stay non-negative), because a
    /// pickled tasklet may resume in another process and must see the same hash(s) as before.
    /// </summary>
    public static long HashStr(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in s)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        return (long)(h >> 1);
    }
}
