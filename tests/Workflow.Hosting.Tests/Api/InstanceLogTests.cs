using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Workflow.Hosting.Tests.Api;

/// <summary>What the host logs when an instance ends without completing: operators see failures without polling the API.</summary>
public sealed class InstanceLogTests
{
    [Fact]
    public async Task A_failed_instance_is_a_warning_and_a_cancelled_one_information_each_with_its_id_workflow_and_last_error_line()
    {
        var log = new ListLoggerProvider();
        await using var host = await ApiHost.StartAsync(services: services => services.AddSingleton<ILoggerProvider>(log));
        await host.Deploy("orders", """
            def check(order):
                if order < 0:
                    raise ValueError('order ' + str(order) + ' is negative')
                return order

            def main(input):
                if input == 'wait':
                    await signal('go')
                return check(input)
            """);
        await host.WaitForStatus(await host.Start("orders", -3, id: "bad"), "failed");
        await host.WaitForStatus(await host.Start("orders", 5, id: "good"), "completed");
        await host.WaitForStatus(await host.Start("orders", "wait", id: "held"), "waiting");
        await host.Post("/api/instances/held/cancel", "");
        await host.WaitForStatus("held", "cancelled");

        // The line is written just after the commit the API already shows.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<(LogLevel Level, string Message)> ended;
        while ((ended = log.Entries.Where(e => e.Category == "Workflow.Instances").Select(e => (e.Level, e.Message)).ToList()).Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"logged: {string.Join("; ", ended)}");
            await Task.Delay(20);
        }
        Assert.Equal(2, ended.Count);
        Assert.Contains((LogLevel.Warning, "instance bad of orders failed: ValueError: order -3 is negative"), ended);
        var cancelled = Assert.Single(ended, e => e.Level == LogLevel.Information);
        Assert.StartsWith("instance held of orders was cancelled: CancelledError", cancelled.Message);
        Assert.DoesNotContain(ended, e => e.Message.Contains("good"));
    }
}
