using System.Diagnostics;
using System.Text;
using Workflow.Isolation.Tests.Harness;

namespace Workflow.Isolation.Tests;

/// <summary>
/// Many large programs, each deployed and run once: the server keeps compiled programs in a bounded
/// cache, so its memory does not grow with the number of versions ever deployed.
/// </summary>
[Collection(HostileServerCollection.Name)]
public sealed class ProgramCacheTests(HostileServer server, ITestOutputHelper output)
{
    private const int Programs = 400;

    /// <summary>
    /// About 900 KB of source (under the API's 1 MiB body once escaped as JSON), distinct for each
    /// [number]: mostly string constants, so compiling it is quick but the compiled program is big.
    /// </summary>
    internal static string LargeProgram(int number)
    {
        var source = new StringBuilder(920_000);
        source.Append($"# large program {number}\ndef main(input):\n    return len(DATA)\n\n\nDATA = [\n");
        var filler = new string('x', 880);
        for (int line = 0; source.Length < 900_000; line++) source.Append($"    '{number:D3}-{line:D5}-{filler}',\n");
        source.Append("]\n");
        return source.ToString();
    }

    [Fact]
    public async Task Four_hundred_programs_of_900_KB_each_deployed_and_run_keep_the_server_under_its_memory_bound()
    {
        var clock = Stopwatch.StartNew();
        var ids = new string[Programs];
        var lines = LargeProgram(0).Count(c => c == '\n') - 7;
        // Two at a time: the machine has two cores, and the probes must still get their share.
        await Parallel.ForEachAsync(Enumerable.Range(0, Programs), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (n, _) =>
        {
            server.AssertAlive();
            var name = $"large_{n:D3}";
            await server.Api.Deploy(name, LargeProgram(n));
            ids[n] = await server.Api.Start(name);
        });
        output.WriteLine($"deployed and started {Programs} programs in {clock.Elapsed.TotalSeconds:0} s; RSS max so far {server.Process.Rss.MaxMb:N0} MB");
        foreach (var id in ids)
        {
            var ended = await server.WaitForEnd(id);
            Assert.True((string?)ended["status"] == "completed", $"{id} ended {ended["status"]}: {WfApi.Shorten((string?)ended["error"] ?? "")}");
            Assert.Equal(lines, (int?)ended["result"]);
        }
        output.WriteLine($"all {Programs} ran in {clock.Elapsed.TotalSeconds:0} s");
        await server.AssertStillServing(output);
    }
}
