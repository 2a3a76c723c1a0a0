namespace Workflow.Values.Numbers;

/// <summary>CPython 3.11's hash functions for numbers and tuples (64-bit build), so hash() prints the same.</summary>
internal static class Hashing
{
    /// <summary>hash(int): modular reduction by 2**61 - 1, sign kept, -1 becomes -2.</summary>
    public static long HashInt(object i) => throw new NotImplementedException();
    /// <summary>hash(float): equal to the hash of an equal int; inf 314159, -inf -314159, nan 0 (we have no id()).</summary>
    public static long HashFloat(double d) => throw new NotImplementedException();
    /// <summary>hash(tuple) from the hashes of its items (the xxHash-based algorithm of 3.8+).</summary>
    public static long HashTuple(ReadOnlySpan<long> itemHashes) => throw new NotImplementedException();
}
