using Workflow.Boundary;

namespace Workflow.Tests.Boundary;

/// <summary>Nfc against CPython's unicodedata.normalize("NFC", …), which .NET cannot give under invariant globalization.</summary>
public class NfcTests
{
    [Fact]
    public void Invariant_globalization_leaves_dotnets_own_normalization_unable_to_tell()
    {
        // Why Nfc exists: with InvariantGlobalization (Directory.Build.props) IsNormalized answers true for NFD text.
        Assert.True("e\u0301".IsNormalized());
        Assert.Equal(2, Nfc.FirstNotNormalized(CodePoints("e\u0301")));
    }

    [Fact]
    public void Normalize_gives_what_CPython_gives_for_600_random_mixes_of_marks_jamo_and_letters()
    {
        var wrong = NfcCases.All
            .Where(c => !Nfc.Normalize(CodePoints(c.Text)).SequenceEqual(CodePoints(c.Nfc)))
            .Select(c => $"{Hex(c.Text)} -> {Hex(string.Concat(Nfc.Normalize(CodePoints(c.Text)).Select(char.ConvertFromUtf32)))}, not {Hex(c.Nfc)}")
            .ToList();
        Assert.Empty(wrong);
        Assert.All(NfcCases.All, c => Assert.Equal(c.Text == c.Nfc, Nfc.FirstNotNormalized(CodePoints(c.Text)) == 0));
    }

    [Theory]
    [InlineData("e\u0301", 2)]                 // composes to U+00E9
    [InlineData("\u212B", 1)]                   // ANGSTROM SIGN is U+00C5 in NFC
    [InlineData("\u0958", 1)]                   // a composition exclusion: NFC keeps it decomposed
    [InlineData("\u0344", 1)]                   // a non-starter decomposition
    [InlineData("a\u0301\u0316", 2)]            // "a" and U+0301 compose, whatever follows
    [InlineData("a\u0316\u0301", 3)]            // U+0301 composes with "a" past the lower-class U+0316
    [InlineData("\u1100\u1161", 2)]             // Hangul L and V make a syllable
    [InlineData("\uAC00\u11A8", 2)]             // an LV syllable and T make an LVT syllable
    [InlineData("\u1E0B\u0323", 2)]             // U+0323 sorts before the dot above inside U+1E0B, and composes with d
    [InlineData("q\u0308", 0)]                  // no precomposed q with diaeresis
    [InlineData("\u00E9\u0301", 0)]             // nothing composes with U+00E9 and U+0301
    [InlineData("\u0301a", 0)]                  // a leading mark has nothing to compose with
    [InlineData("plain ascii", 0)]
    public void FirstNotNormalized_points_at_the_character_that_makes_the_text_not_NFC(string text, int position) =>
        Assert.Equal(position, Nfc.FirstNotNormalized(CodePoints(text)));

    private static int[] CodePoints(string text) => text.EnumerateRunes().Select(r => r.Value).ToArray();

    private static string Hex(string text) => string.Join(" ", text.EnumerateRunes().Select(r => $"{r.Value:X4}"));
}
