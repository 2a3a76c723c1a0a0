using Workflow.Isolation.Tests.Harness;

namespace Workflow.Isolation.Tests;

/// <summary>
/// One operator asked for a value far over 64 MB: the size is known from the operands, so it is
/// refused with a script MemoryError before anything is allocated, and the instance fails.
/// </summary>
[Collection(HostileServerCollection.Name)]
public sealed class ValueSizeTests(HostileServer server, ITestOutputHelper output)
{
    /// <summary>All three at once, the first time any of them is asked for.</summary>
    private Task<IReadOnlyDictionary<string, string>> Started() => server.StartOnce("value size", async api =>
        (await Task.WhenAll(new[] { "huge_power", "huge_list", "huge_string" }.Select(async w => (w, await api.Start(w)))))
        .ToDictionary(c => c.w, c => c.Item2));

    [Theory]
    [InlineData("huge_power")]  // 10 ** (10 ** 8)
    [InlineData("huge_list")]   // [0] * 10**9
    [InlineData("huge_string")] // "x" * 10**9
    public async Task A_value_over_the_size_limit_fails_the_instance_with_MemoryError(string workflow)
    {
        var id = (await Started())[workflow];
        var ended = await server.WaitForEnd(id);
        var error = HostileServer.AssertFailedNaming(ended, "MemoryError", "limit");
        output.WriteLine($"{workflow}: {error.TrimEnd().Split('\n')[^1]}");
        await server.AssertStillServing(output);
    }
}
