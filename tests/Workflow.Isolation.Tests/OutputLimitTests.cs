using Workflow.Isolation.Tests.Harness;

namespace Workflow.Isolation.Tests;

/// <summary>What one turn prints reaches the server's log up to 1 MB, then a note that the rest was truncated.</summary>
[Collection(HostileServerCollection.Name)]
public sealed class OutputLimitTests(HostileServer server, ITestOutputHelper output)
{
    /// <summary>1 MiB of output, and room for the log line's own prefix and the truncation note.</summary>
    private const long MaxLineChars = 1024 * 1024 + 4096;

    [Fact]
    public async Task A_turn_that_prints_100_MB_puts_at_most_1_MB_and_a_note_in_the_server_log()
    {
        var id = await server.Api.Start("print_flood");
        var ended = await server.WaitForEnd(id);
        // Completing or failing are both fine: the limit is on what reaches the log.
        output.WriteLine($"print_flood ended {ended["status"]} after {ended["turns"]} turns");
        // Each turn's output is one log line that starts with the instance id (the console log is
        // single-line). The console logger writes on its own thread, and a big line takes a while to
        // come through the pipe: wait for the first, then until no more come for a second.
        bool OfThisInstance(ServerLogLine l) => l.Head.Contains(id, StringComparison.Ordinal) && l.Head.Contains("printed", StringComparison.Ordinal);
        Assert.True(server.Process.Log.WaitForLine(OfThisInstance, TimeSpan.FromSeconds(60), () => server.Process.HasExited) != null,
            $"no output of {id} reached the server log");
        ServerLogLine[] lines = [];
        for (int count = -1; count != lines.Length; await Task.Delay(1_000))
        {
            count = lines.Length;
            lines = server.Process.Log.Lines.Where(OfThisInstance).ToArray();
        }
        output.WriteLine($"{lines.Length} log lines of its output, {lines.Sum(l => l.Length):N0} characters in all, the longest {lines.Select(l => l.Length).DefaultIfEmpty().Max():N0}");
        Assert.All(lines, l => Assert.True(l.Length <= MaxLineChars, $"one turn's output put {l.Length:N0} characters in the log, over 1 MB"));
        Assert.Contains(lines, l => l.Contains("truncated"));
        await server.AssertStillServing(output);
    }
}
