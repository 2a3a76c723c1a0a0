using Workflow.Isolation.Tests.Harness;

namespace Workflow.Isolation.Tests;

/// <summary>The harness's own promise, which holds on any server: it serves, and the probes complete.</summary>
[Collection(HostileServerCollection.Name)]
public sealed class ServingTests(HostileServer server, ITestOutputHelper output)
{
    [Fact]
    public async Task Probes_started_every_half_second_complete_and_the_server_stays_healthy()
    {
        // A few probes of its own, so the check below has something to check whichever test runs first.
        while (server.Probes.All.Count < 5) await Task.Delay(200);
        await server.AssertStillServing(output);
        Assert.Contains(server.Probes.All, p => p.Succeeded);
    }
}
