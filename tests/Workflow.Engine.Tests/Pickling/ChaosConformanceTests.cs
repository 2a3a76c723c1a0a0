using Workflow.Pickling;
using Workflow.Tests.Conformance;

namespace Workflow.Tests.Pickling;

/// <summary>
/// The whole conformance corpus again, in chaos mode: at every safe point (calls, awaits, channel
/// operations, yields, for-loop steps, loop back-edges) the instance is pickled, the VM dropped and
/// a fresh one unpickled from the bytes. The output must still be byte-identical to CPython's (or
/// the oracle's), and each unpickled VM must pickle again to the very same bytes.
/// </summary>
public class ChaosConformanceTests
{
    /// <summary>
    /// Programs whose chaos run is quadratic beyond reason, with why: each of their many safe points
    /// pickles a very large live structure.
    /// </summary>
    private static readonly Dictionary<string, string> TooSlowUnderChaos = new()
    {
        ["python/exceptions/deep_recursion_in_dunders.wf"] = "builds a list nested 100,000 deep one level per loop iteration: 100,000 pickles of up to 100,000 heap entries",
    };

    public static IEnumerable<object[]> PythonPrograms() => Corpus.Programs("python").Where(p => !TooSlowUnderChaos.ContainsKey((string)p[0]));
    public static IEnumerable<object[]> StacklessPrograms() => Corpus.Programs("stackless");

    [Theory]
    [MemberData(nameof(PythonPrograms))]
    public void Python_program_prints_the_same_when_pickled_at_every_safe_point(string program) => RunUnderChaos(program);

    [Theory]
    [MemberData(nameof(StacklessPrograms))]
    public void Stackless_program_prints_the_same_when_pickled_at_every_safe_point(string program) => RunUnderChaos(program);

    private static void RunUnderChaos(string program)
    {
        var statistics = new ChaosStatistics { CheckRoundTrip = true };
        ConformanceTests.RunAndCompare(program, statistics);
        // Every program has at least one call (print) or loop: a chaos run that never pickled tests nothing.
        Assert.True(statistics.Pickles > 0, "no safe point was reached");
    }

    [Fact]
    public void Only_a_named_few_programs_are_left_out_and_each_says_why()
    {
        Assert.All(TooSlowUnderChaos, entry =>
        {
            Assert.True(File.Exists(Path.Combine(Corpus.Directory, entry.Key)), entry.Key);
            Assert.False(string.IsNullOrWhiteSpace(entry.Value));
        });
        Assert.True(TooSlowUnderChaos.Count <= 1);
    }
}
