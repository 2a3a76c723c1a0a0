using Workflow.Isolation.Tests.Harness;

namespace Workflow.Isolation.Tests;

/// <summary>
/// One operation asked for a value far over the 64 MB value limit (Programs/value_bomb.wf): the size
/// is known from the operands, so it is refused with a script MemoryError before anything is
/// allocated, and the instance fails. All of them run at once.
/// </summary>
[Collection(HostileServerCollection.Name)]
public sealed class ValueSizeTests(HostileServer server, ITestOutputHelper output)
{
    private static readonly string[] Bombs = ["power", "list", "string", "shift", "range", "format", "join", "doubling"];

    /// <summary>All of them at once, the first time any of them is asked for.</summary>
    private Task<IReadOnlyDictionary<string, string>> Started() => server.StartOnce("value size", async api =>
        (await Task.WhenAll(Bombs.Select(async bomb => (bomb, Id: await api.Start("value_bomb", bomb))))).ToDictionary(c => c.bomb, c => c.Id));

    [Theory]
    [InlineData("list")]     // [0] * 10**9
    [InlineData("string")]   // "x" * 10**9
    [InlineData("shift")]    // 1 << 10**9
    [InlineData("range")]    // list(range(10**9))
    [InlineData("format")]   // "{:>1000000000}".format("x")
    [InlineData("join")]     // "".join(["x" * 1000] * 100_000)
    [InlineData("doubling")] // s = s + s until it is too big
    public async Task A_value_over_the_size_limit_fails_the_instance_with_MemoryError(string bomb)
    {
        var ended = await server.WaitForEnd((await Started())[bomb]);
        var error = HostileServer.AssertFailedNaming(ended, "MemoryError", "limit");
        output.WriteLine($"{bomb}: {error.TrimEnd().Split('\n')[^1]}");
        await server.AssertStillServing(output);
    }

    [Fact]
    public async Task Ten_to_the_power_of_ten_to_the_eighth_fails_the_instance_on_a_limit()
    {
        // 10 ** (10 ** 8) is 41.5 MB as a binary integer, under the value limit: what it exceeds is
        // the work a run may do, and the engine may refuse it on either count (README, "Choices").
        var ended = await server.WaitForEnd((await Started())["power"]);
        var error = HostileServer.AssertFailedNaming(ended, "MemoryError|execution limit exceeded", "limit");
        output.WriteLine($"power: {error.TrimEnd().Split('\n')[^1]}");
        await server.AssertStillServing(output);
    }
}
