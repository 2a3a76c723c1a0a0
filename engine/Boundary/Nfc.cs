namespace Workflow.Boundary;

/// <summary>
/// Unicode Normalization Form C (UAX #15), over the data in <see cref="NfcTables"/>. The engine runs
/// with invariant globalization, where string.Normalize and IsNormalized change and check nothing
/// (they need ICU), so the names check (<see cref="NameRules"/>) brings its own. Text is handled as
/// code points; callers have refused lone surrogates before.
/// </summary>
internal static class Nfc
{
    // Hangul syllables decompose and compose by arithmetic, not by table (UAX #15, "Hangul").
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    private static readonly Dictionary<int, (int First, int Second)> Decompositions = BuildDecompositions();
    private static readonly Dictionary<long, int> Compositions = BuildCompositions();

    /// <summary>
    /// Where [codePoints] stops being NFC: the 1-based index of the code point that ends its shortest
    /// prefix that is not NFC (the combining mark that should have been composed, the character NFC
    /// replaces, the mark out of canonical order), or 0 when the whole text is NFC. Quadratic in the
    /// length: meant for names, which have at most a few hundred code points.
    /// </summary>
    public static int FirstNotNormalized(int[] codePoints)
    {
        // Below U+0300 (where combining marks begin) every character is NFC and composes with nothing before it.
        if (codePoints.All(c => c < 0x300)) return 0;
        for (int length = 1; length <= codePoints.Length; length++)
        {
            var prefix = codePoints.AsSpan(0, length);
            if (!prefix.SequenceEqual(Normalize(prefix))) return length;
        }
        return 0;
    }

    /// <summary>The NFC form of [codePoints]: canonical decomposition, canonical ordering, canonical composition.</summary>
    public static int[] Normalize(ReadOnlySpan<int> codePoints)
    {
        var text = new List<int>(codePoints.Length + 4);
        foreach (var c in codePoints) Decompose(c, text);
        Reorder(text);
        return Compose(text);
    }

    private static void Decompose(int c, List<int> into)
    {
        if (c is >= SBase and < SBase + SCount)
        {
            int index = c - SBase;
            into.Add(LBase + index / NCount);
            into.Add(VBase + index % NCount / TCount);
            if (index % TCount != 0) into.Add(TBase + index % TCount);
        }
        else if (Decompositions.TryGetValue(c, out var parts))
        {
            // Decompositions nest a few levels at most (the Unicode data is finite and acyclic).
            Decompose(parts.First, into);
            if (parts.Second != 0) Decompose(parts.Second, into);
        }
        else
        {
            into.Add(c);
        }
    }

    /// <summary>Sorts each run of combining marks by combining class, keeping the order of marks of equal class.</summary>
    private static void Reorder(List<int> text)
    {
        for (int i = 1; i < text.Count; i++)
        {
            int c = text[i], cc = CombiningClass(c);
            if (cc == 0) continue;
            int j = i;
            while (j > 0 && CombiningClass(text[j - 1]) > cc)
            {
                text[j] = text[j - 1];
                j--;
            }
            text[j] = c;
        }
    }

    /// <summary>Composes each character with the last starter before it unless a mark between them blocks it (UAX #15's sample code).</summary>
    private static int[] Compose(List<int> text)
    {
        if (text.Count == 0) return [];
        int starter = 0, last = 1;
        // A text that begins with a mark has no starter for it to compose with.
        int lastClass = CombiningClass(text[0]) == 0 ? 0 : 256;
        for (int i = 1; i < text.Count; i++)
        {
            int c = text[i], cc = CombiningClass(c);
            if ((lastClass < cc || lastClass == 0) && Composite(text[starter], c) is int composite)
            {
                text[starter] = composite;
                continue;
            }
            if (cc == 0) starter = last;
            lastClass = cc;
            text[last++] = c;
        }
        return text.GetRange(0, last).ToArray();
    }

    private static int? Composite(int first, int second)
    {
        if (first is >= LBase and < LBase + LCount && second is >= VBase and < VBase + VCount)
            return SBase + ((first - LBase) * VCount + second - VBase) * TCount;
        if (first is >= SBase and < SBase + SCount && (first - SBase) % TCount == 0 && second is > TBase and < TBase + TCount)
            return first + second - TBase;
        return Compositions.TryGetValue(Pair(first, second), out var composite) ? composite : null;
    }

    public static int CombiningClass(int c)
    {
        var runs = NfcTables.CombiningClasses;
        int low = 0, high = runs.Length / 3 - 1;
        while (low <= high)
        {
            int mid = (low + high) / 2;
            if (c < runs[mid * 3]) high = mid - 1;
            else if (c > runs[mid * 3 + 1]) low = mid + 1;
            else return runs[mid * 3 + 2];
        }
        return 0;
    }

    private static long Pair(int first, int second) => (long)first << 21 | (uint)second;

    private static Dictionary<int, (int, int)> BuildDecompositions()
    {
        var table = NfcTables.Decompositions;
        var decompositions = new Dictionary<int, (int, int)>(table.Length / 3);
        for (int i = 0; i < table.Length; i += 3) decompositions[table[i]] = (table[i + 1], table[i + 2]);
        return decompositions;
    }

    /// <summary>Every two-part decomposition NFC composes back: the primary composites.</summary>
    private static Dictionary<long, int> BuildCompositions()
    {
        var table = NfcTables.Decompositions;
        var excluded = NfcTables.CompositionExclusions.ToHashSet();
        var compositions = new Dictionary<long, int>();
        for (int i = 0; i < table.Length; i += 3)
            if (table[i + 2] != 0 && !excluded.Contains(table[i])) compositions[Pair(table[i + 1], table[i + 2])] = table[i];
        return compositions;
    }
}
