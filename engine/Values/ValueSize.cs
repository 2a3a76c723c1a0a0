using System.Globalization;
using System.Runtime.CompilerServices;
using Workflow.Runtime;

namespace Workflow.Values;

/// <summary>
/// How big a value would be, and the check that refuses one over InterpreterOptions.MaxValueBytes
/// with MemoryError before the work of making it is done. Sizes are estimated simply, the same
/// way everywhere:
/// <list type="bullet">
/// <item>str: 2 bytes per character (UTF-16 code unit);</item>
/// <item>list and tuple: 8 bytes per item (a reference; the items are counted where they are made);</item>
/// <item>dict: 24 bytes per entry (key, value and hash);</item>
/// <item>int: its bits / 8.</item>
/// </list>
/// Values under [Unchecked] bytes are never checked: the hot path is one comparison of a size the
/// operation already knows, and only bigger ones read the running interpreter's limit.
/// </summary>
internal static class ValueSize
{
    public const int BytesPerChar = 2;
    public const int BytesPerItem = 8;
    public const int BytesPerEntry = 24;

    /// <summary>Sizes up to this many bytes (64 KB) pass without looking at the limit.</summary>
    public const long Unchecked = 64 * 1024;

    public const long UncheckedChars = Unchecked / BytesPerChar;
    private const long UncheckedItems = Unchecked / BytesPerItem;

    /// <summary>The longest string .NET can make, whatever the limit says.</summary>
    private const long MaxStringLength = 0x3FFFFFDF;

    /// <summary>Refuses a str of [chars] characters.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void EnsureChars(long chars)
    {
        if (chars > UncheckedChars) EnsureFits(Times(chars, BytesPerChar), chars > MaxStringLength);
    }

    /// <summary>Refuses a list or tuple of [items] items.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void EnsureItems(long items)
    {
        if (items > UncheckedItems) EnsureFits(Times(items, BytesPerItem), items > Array.MaxLength);
    }

    /// <summary>Refuses an int of [bits] bits (a double, since a power's size is estimated by a logarithm).</summary>
    public static void EnsureIntBits(double bits)
    {
        double bytes = Math.Ceiling(bits / 8);
        if (bytes > Unchecked) EnsureFits(bytes >= long.MaxValue ? long.MaxValue : (long)bytes, false);
    }

    /// <summary>
    /// For a list or dict growing one item at a time (append, a comprehension, d[k] = v): refuses
    /// it at [count] items, looking only at every 1,024th so the common step costs one bit test.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void EnsureGrowth(int count, int bytesPerItem)
    {
        if ((count & 1023) == 0 && count > 0) EnsureFits(Times(count, bytesPerItem), false);
    }

    /// <summary>a + b for two strings, refusing a result over the limit first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static string Concat(string a, string b)
    {
        EnsureChars((long)a.Length + b.Length);
        return string.Concat(a, b);
    }

    /// <summary>[count] × [each], or long.MaxValue when that overflows (0 when either is not positive).</summary>
    public static long Times(long count, long each) =>
        count <= 0 || each <= 0 ? 0 : count > long.MaxValue / each ? long.MaxValue : count * each;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EnsureFits(long bytes, bool beyondDotNet)
    {
        if (bytes <= Unchecked) return;
        long limit = Interpreter.RunningMaxValueBytes;
        if (limit > 0 && bytes > limit)
            throw Errors.New(ExceptionTypes.MemoryError, $"the result would take {Describe(bytes, limit)}, over the limit of {Describe(limit, bytes)} for one value (InterpreterOptions.MaxValueBytes)");
        if (beyondDotNet)
            throw Errors.New(ExceptionTypes.MemoryError, $"the result would take {Describe(bytes, 0)}, more than one .NET string or array can hold");
    }

    /// <summary>[bytes] for a message: "64 MB", "1.9 GB"; exact when rounding would make it read the same as [other].</summary>
    private static string Describe(long bytes, long other)
    {
        if (bytes == long.MaxValue) return "more than 8 EB";
        string rounded = Rounded(bytes);
        return rounded == Rounded(other) ? bytes.ToString("N0", CultureInfo.InvariantCulture) + " bytes" : rounded;
    }

    private static readonly string[] Units = { "bytes", "KB", "MB", "GB", "TB", "PB", "EB" };

    private static string Rounded(long bytes)
    {
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString(unit == 0 ? "0" : "0.#", CultureInfo.InvariantCulture) + " " + Units[unit];
    }
}
