using System.Net;
using System.Text;
using Newtonsoft.Json.Linq;
using Workflow.Durable;

namespace Workflow.Hosting.Tests.Api;

/// <summary>WorkflowOptions.MaxPayloadBytes (2 MiB by default) at the REST API: over it is 413 and nothing stored; up to it is taken.</summary>
public sealed class PayloadLimitApiTests
{
    private const string Measure = "def main(input):\n    return len(input)\n";

    [Fact]
    public async Task An_input_at_the_2_MiB_limit_runs_and_one_byte_over_is_refused_with_413_and_nothing_stored()
    {
        await using var host = await ApiHost.StartAsync();
        await host.Deploy("measure", Measure);
        var before = RestApiTests.Snapshot(host.DatabasePath);

        var over = await host.Post("/api/instances", StartBody(PayloadLimits.DefaultMaxPayloadBytes + 1, "big"));
        var problem = await ApiHost.Problem(over, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.Equal("the input is 2,097,153 bytes of JSON; the limit is 2,097,152 bytes; nothing was written", (string?)problem["detail"]);
        Assert.Equal(PayloadLimits.DefaultMaxPayloadBytes, (int)problem["limit"]!);
        Assert.Equal(before, RestApiTests.Snapshot(host.DatabasePath));
        await ApiHost.Problem(await host.Get("/api/instances/big"), HttpStatusCode.NotFound, "unknown_instance");

        await ApiHost.Json(await host.Post("/api/instances", StartBody(PayloadLimits.DefaultMaxPayloadBytes, "at-limit")), HttpStatusCode.Created);
        var done = await host.WaitForStatus("at-limit", "completed");
        Assert.Equal(PayloadLimits.DefaultMaxPayloadBytes - 2, (int)done["result"]!);
    }

    [Fact]
    public async Task A_signal_payload_over_the_limit_is_refused_and_not_queued()
    {
        await using var host = await ApiHost.StartAsync();
        await host.Deploy("waiter", "def main(input):\n    return len(await signal('go'))\n");
        var id = await host.Start("waiter", id: "w");
        await host.WaitForStatus(id, "waiting");
        var before = RestApiTests.Snapshot(host.DatabasePath);

        var problem = await ApiHost.Problem(await host.Post("/api/instances/w/signals/go", JsonString(PayloadLimits.DefaultMaxPayloadBytes + 1)),
            HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.StartsWith("the signal payload is 2,097,153 bytes of JSON; the limit is 2,097,152 bytes", (string?)problem["detail"]);
        Assert.Equal(before, RestApiTests.Snapshot(host.DatabasePath));

        Assert.Equal(HttpStatusCode.Accepted, (await host.Post("/api/instances/w/signals/go", JsonString(PayloadLimits.DefaultMaxPayloadBytes))).StatusCode);
        Assert.Equal(PayloadLimits.DefaultMaxPayloadBytes - 2, (int)(await host.WaitForStatus(id, "completed"))["result"]!);
    }

    [Fact]
    public async Task A_body_over_the_limit_and_its_envelope_is_refused_unread_and_a_900_KB_program_deploys()
    {
        await using var host = await ApiHost.StartAsync();
        var program = "def main(input):\n    return 1\n" + string.Concat(Enumerable.Repeat("# a comment line that makes the program large, as a big generated one would be\n", 11_500));
        Assert.InRange(Encoding.UTF8.GetByteCount(program), 900_000, 950_000);
        await host.Deploy("large", program);

        var limit = PayloadLimits.DefaultMaxPayloadBytes + 64 * 1024;
        var problem = await ApiHost.Problem(await host.Post("/api/instances", StartBody(limit, "huge")), HttpStatusCode.RequestEntityTooLarge, "body_too_large");
        Assert.Contains($"bodies of up to {limit:N0} bytes", (string?)problem["detail"]);
        await ApiHost.Problem(await host.Get("/api/instances/huge"), HttpStatusCode.NotFound, "unknown_instance");
    }

    [Fact]
    public async Task A_host_can_set_a_smaller_limit_and_the_options_refuse_one_out_of_range()
    {
        await using var host = await ApiHost.StartAsync(o => o.MaxPayloadBytes = 4096);
        await host.Deploy("measure", Measure);
        var problem = await ApiHost.Problem(await host.Post("/api/instances", StartBody(4097, "over")), HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.Equal(4096, (int)problem["limit"]!);
        await ApiHost.Json(await host.Post("/api/instances", StartBody(4096, "at")), HttpStatusCode.Created);

        Assert.Contains(new WorkflowOptions { DatabasePath = "x.db", MaxPayloadBytes = 1023 }.Problems(), p => p.StartsWith("MaxPayloadBytes must be from 1,024 (1 KiB) to 67,108,864 (64 MiB)"));
        Assert.Contains(new WorkflowOptions { DatabasePath = "x.db", MaxPayloadBytes = (64 << 20) + 1 }.Problems(), p => p.StartsWith("MaxPayloadBytes must be"));
        Assert.Empty(new WorkflowOptions { DatabasePath = "x.db" }.Problems());
    }

    /// <summary>A start of "measure" whose input is a JSON string of exactly [inputBytes] bytes.</summary>
    private static string StartBody(int inputBytes, string id) => $$"""{"workflow":"measure","id":"{{id}}","input":{{JsonString(inputBytes)}}}""";

    private static string JsonString(int bytes) => "\"" + new string('a', bytes - 2) + "\"";
}
