using Newtonsoft.Json.Linq;

namespace Workflow.Examples.Tests;

/// <summary>examples/pipeline: producer, pricing and booking stages on channels, booking through a durable activity.</summary>
public sealed class PipelineTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task Every_order_is_priced_and_booked_in_order(int buffer)
    {
        await using var host = await ExampleHost.StartAsync();
        var id = await host.Start("pipeline", JObject.Parse($$"""{"orders": [3, 1, 4, 1, 5], "unit_price": 2.0, "buffer": {{buffer}}}"""));
        var done = await host.WaitForStatus(id, "completed");
        Assert.Equal(JObject.Parse("""{"orders": 5, "total": 28.0}"""), done["result"]);
        // One turn per booked order at least: the instance was pickled with its stages blocked mid-channel.
        Assert.True((int)done["turns"]! >= 5, $"only {done["turns"]} turns");
    }
}
