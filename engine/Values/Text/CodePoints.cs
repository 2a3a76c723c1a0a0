using System.Runtime.CompilerServices;
using System.Text;

namespace Workflow.Values.Text;

/// <summary>
/// Where a str's code-point arithmetic lives. A str value stays a .NET string (UTF-16), so a
/// character outside the Basic Multilingual Plane is stored as a surrogate pair, while the
/// language counts, indexes, slices, iterates, searches and compares by code point as CPython
/// does: len("😀") is 1. Every operation that turns a script index into a position in the string
/// (or back), or that must not cut a pair in two, goes through this class.
///
/// <para><b>The rule for surrogates.</b> A high surrogate immediately followed by a low surrogate
/// is always one code point (the astral character they encode); every other surrogate (a "lone"
/// one, which CPython allows: '\ud800') is a code point of its own. CPython keeps '\ud83d\ude00'
/// written with two escapes as two code points, distinct from '😀'; here the two UTF-16 forms are
/// the same string, so such a pair is one character: len('\ud83d' + '\ude00') is 1 here and 2 in
/// CPython. That is the only divergence, and it needs lone surrogates glued together on purpose.
/// A search never matches, and a strip or split never cuts, half of a pair: '\ud83d' in '😀' is
/// False, as '😀' holds no lone surrogate.</para>
///
/// <para><b>Cost.</b> Most strings hold no surrogate, which a vectorised scan tells; then a
/// code-point index is the char index. For a string with pairs, the code-point indexes of its
/// pairs are listed once (a sorted int[]), so a position translates by binary search. The lists of
/// the last few long strings are cached per thread by reference (strings are immutable), and so is
/// the fact that a long string has no pair, so a loop indexing one long string stays linear
/// instead of rescanning it at each step. The cache holds at most [CacheSize] strings alive.</para>
/// </summary>
internal static class CodePoints
{
    /// <summary>Strings shorter than this are scanned directly at each use: cheaper than a cache lookup.</summary>
    internal const int CachedFrom = 64;

    /// <summary>How many long strings each thread remembers.</summary>
    internal const int CacheSize = 4;

    /// <summary>True when [s] holds no surrogate at all, so code-point and char indexes agree.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsBmpOnly(string s) => s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0;

    /// <summary>True when [s] holds a surrogate that is not half of a pair (see the rule above).</summary>
    public static bool HasLoneSurrogate(string s)
    {
        for (int i = s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF'); i >= 0 && i < s.Length; i++)
        {
            if (!char.IsSurrogate(s[i])) continue;
            if (UnitsAt(s, i) == 1) return true;
            i++;
        }
        return false;
    }

    /// <summary>len(s): the number of code points, a surrogate pair counting once.</summary>
    public static int Length(string s)
    {
        if (s.Length < CachedFrom)
            return IsBmpOnly(s) ? s.Length : s.Length - CountPairs(s);
        return s.Length - PairsOf(s).Length;
    }

    /// <summary>The char position where code point [index] (0..Length) starts.</summary>
    public static int CharIndex(string s, int index)
    {
        if (s.Length < CachedFrom)
        {
            if (IsBmpOnly(s)) return index;
            int i = 0;
            for (int seen = 0; seen < index; seen++) i += UnitsAt(s, i);
            return i;
        }
        // Code point p starts at char p + (the number of pairs before it).
        return index + LowerBound(PairsOf(s), index, offsetByRank: false);
    }

    /// <summary>The code-point index of the char position [charIndex], which must be on a code-point boundary.</summary>
    public static int CodePointIndex(string s, int charIndex)
    {
        if (s.Length < CachedFrom)
        {
            if (IsBmpOnly(s)) return charIndex;
            int n = 0;
            for (int i = 0; i < charIndex; n++) i += UnitsAt(s, i);
            return n;
        }
        // Pair k (its code-point index p_k) starts at char p_k + k: pairs starting before [charIndex] each took one extra char.
        return charIndex - LowerBound(PairsOf(s), charIndex, offsetByRank: true);
    }

    /// <summary>s[index] for an index already resolved to 0..Length-1: a one-character string.</summary>
    public static string At(string s, int index)
    {
        int i = CharIndex(s, index);
        return UnitsAt(s, i) == 2 ? s.Substring(i, 2) : s[i].ToString();
    }

    /// <summary>How many UTF-16 units the code point at char [i] takes: 2 for a pair, else 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int UnitsAt(string s, int i) =>
        char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;

    /// <summary>True unless char position [i] falls between the two halves of a pair.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsBoundary(string s, int i) =>
        i <= 0 || i >= s.Length || !char.IsLowSurrogate(s[i]) || !char.IsHighSurrogate(s[i - 1]);

    /// <summary>s[slice], by code point.</summary>
    public static string Slice(string s, PySlice slice)
    {
        bool bmp = s.Length < CachedFrom ? IsBmpOnly(s) : PairsOf(s).Length == 0;
        if (bmp)
        {
            var (start, _, step, count) = slice.Indices(s.Length);
            if (step == 1) return s.Substring((int)start, (int)count);
            return string.Create((int)count, (s, (int)start, (int)step), static (span, state) =>
            {
                for (int i = 0, j = state.Item2; i < span.Length; i++, j += state.Item3) span[i] = state.s[j];
            });
        }
        var (first, _, stride, n) = slice.Indices(Length(s));
        if (stride == 1)
        {
            int from = CharIndex(s, (int)first);
            return s.Substring(from, CharIndex(s, (int)(first + n)) - from);
        }
        // Every code point's start, once, then gathered in slice order.
        var starts = Starts(s);
        var sb = new StringBuilder((int)n);
        for (long i = 0, j = first; i < n; i++, j += stride)
            sb.Append(s, starts[j], starts[j + 1] - starts[j]);
        return sb.ToString();
    }

    /// <summary>The code points of [s] as one-character strings, in order (iteration, reversed, join).</summary>
    public static object[] Characters(string s)
    {
        var items = new object[Length(s)];
        for (int i = 0, k = 0; i < s.Length; k++)
        {
            int units = UnitsAt(s, i);
            items[k] = units == 2 ? s.Substring(i, 2) : s[i].ToString();
            i += units;
        }
        return items;
    }

    /// <summary>[unit] (one code point, one or two chars) repeated [count] times: padding and fill characters.</summary>
    public static string Repeat(string unit, int count)
    {
        if (count <= 0) return "";
        if (unit.Length == 1) return new string(unit[0], count);
        return string.Create(count * unit.Length, unit, static (span, u) =>
        {
            for (int i = 0; i < span.Length; i += u.Length) u.AsSpan().CopyTo(span[i..]);
        });
    }

    /// <summary>Appends [unit] (one code point) [count] times to [sb].</summary>
    public static StringBuilder AppendRepeat(StringBuilder sb, string unit, int count)
    {
        if (unit.Length == 1) return sb.Append(unit[0], Math.Max(count, 0));
        for (int i = 0; i < count; i++) sb.Append(unit);
        return sb;
    }

    /// <summary>True when [s] is exactly one code point (a fill character, ord's argument).</summary>
    public static bool IsOneCodePoint(string s) => s.Length == 1 || (s.Length == 2 && UnitsAt(s, 0) == 2);

    /// <summary>
    /// The first char position in [start, end) where [sub] occurs on code-point boundaries, or -1.
    /// Only a [sub] that starts with a low surrogate or ends with a high one can match half a
    /// pair, so only then are matches checked.
    /// </summary>
    public static int IndexOf(string s, string sub, int start, int end)
    {
        int k = s.IndexOf(sub, start, end - start, StringComparison.Ordinal);
        if (k < 0 || !CanSplitPair(sub)) return k;
        while (k >= 0 && !(IsBoundary(s, k) && IsBoundary(s, k + sub.Length)))
            k = k + 1 + sub.Length > end ? -1 : s.IndexOf(sub, k + 1, end - k - 1, StringComparison.Ordinal);
        return k;
    }

    /// <summary>The last char position in [start, end) where [sub] (not empty) occurs on code-point boundaries, or -1.</summary>
    public static int LastIndexOf(string s, string sub, int start, int end)
    {
        if (end - start < sub.Length) return -1;
        int k = s.LastIndexOf(sub, end - 1, end - start, StringComparison.Ordinal);
        if (k < 0 || !CanSplitPair(sub)) return k;
        while (k >= 0 && !(IsBoundary(s, k) && IsBoundary(s, k + sub.Length)))
            k = k - 1 < start ? -1 : s.LastIndexOf(sub, k + sub.Length - 2, k + sub.Length - 1 - start, StringComparison.Ordinal);
        return k;
    }

    /// <summary>Whether [s] (a whole string) occurs at char [offset] of [text] on code-point boundaries.</summary>
    public static bool OccursAt(string text, string s, int offset) =>
        string.CompareOrdinal(text, offset, s, 0, s.Length) == 0
        && (!CanSplitPair(s) || (IsBoundary(text, offset) && IsBoundary(text, offset + s.Length)));

    /// <summary>True when [sub] could match the second half of a pair at its start or the first half at its end.</summary>
    public static bool CanSplitPair(string sub) =>
        sub.Length > 0 && (char.IsLowSurrogate(sub[0]) || char.IsHighSurrogate(sub[^1]));

    /// <summary>
    /// Orders two strings by code point, as CPython compares str: UTF-16 order differs from it
    /// when a pair (U+10000 and above) meets a character in U+E000-U+FFFF, so the first
    /// difference is decoded when it involves a surrogate.
    /// </summary>
    public static int Compare(string a, string b)
    {
        int k = a.AsSpan().CommonPrefixLength(b);
        if (k == a.Length || k == b.Length) return a.Length.CompareTo(b.Length);
        char x = a[k], y = b[k];
        if (x < 0xD800 || y < 0xD800) return x - y;
        // Both differ at a surrogate or above; step back to the start of a pair they both began.
        if (k > 0 && char.IsHighSurrogate(a[k - 1]) && (char.IsLowSurrogate(x) || char.IsLowSurrogate(y))) k--;
        int cx = CharInfo.CodePointAt(a, k, out _), cy = CharInfo.CodePointAt(b, k, out _);
        return cx.CompareTo(cy);
    }

    /// <summary>The number of surrogate pairs in [s], without the cache (short strings).</summary>
    private static int CountPairs(string s)
    {
        int pairs = 0;
        for (int i = s.AsSpan().IndexOfAnyInRange('\uD800', '\uDBFF'); i >= 0 && i + 1 < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1]))
            {
                pairs++;
                i++;
            }
        }
        return pairs;
    }

    /// <summary>The char position of every code point of [s], and s.Length at the end.</summary>
    private static int[] Starts(string s)
    {
        var starts = new int[Length(s) + 1];
        int k = 0;
        for (int i = 0; i < s.Length; i += UnitsAt(s, i)) starts[k++] = i;
        starts[k] = s.Length;
        return starts;
    }

    /// <summary>
    /// How many pairs come before [position]: with [offsetByRank] false, [position] is a code-point
    /// index compared with each pair's code-point index; with it true, a char position compared
    /// with each pair's char position (its code-point index plus its rank).
    /// </summary>
    private static int LowerBound(int[] pairs, int position, bool offsetByRank)
    {
        int lo = 0, hi = pairs.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            int at = offsetByRank ? pairs[mid] + mid : pairs[mid];
            if (at < position) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>The code-point indexes of the pairs of [s], in order, from the thread's cache when [s] was seen lately.</summary>
    internal static int[] PairsOf(string s)
    {
        var cache = _cache ??= new Cache();
        for (int i = 0; i < CacheSize; i++)
            if (ReferenceEquals(cache.Texts[i], s)) return cache.Pairs[i];
        var pairs = ListPairs(s);
        cache.Texts[cache.Next] = s;
        cache.Pairs[cache.Next] = pairs;
        cache.Next = (cache.Next + 1) % CacheSize;
        cache.Misses++;
        return pairs;
    }

    private static int[] ListPairs(string s)
    {
        int first = s.AsSpan().IndexOfAnyInRange('\uD800', '\uDBFF');
        if (first < 0) return Array.Empty<int>();
        var pairs = new List<int>();
        int codePoint = first;
        for (int i = first; i < s.Length; codePoint++)
        {
            if (UnitsAt(s, i) == 2)
            {
                pairs.Add(codePoint);
                i += 2;
            }
            else i++;
        }
        return pairs.ToArray();
    }

    /// <summary>How many times this thread listed a long string's pairs (tests read it to see the cache work).</summary>
    internal static int CacheMisses => _cache?.Misses ?? 0;

    [ThreadStatic] private static Cache? _cache;

    private sealed class Cache
    {
        public readonly string?[] Texts = new string?[CacheSize];
        public readonly int[][] Pairs = new int[CacheSize][];
        public int Next;
        public int Misses;
    }
}
