using Newtonsoft.Json.Linq;

namespace Workflow.Examples.Tests;

/// <summary>examples/drip: mails due days apart, on durable timers, with a clock the test moves by hand.</summary>
public sealed class DripCampaignTests
{
    private static readonly JObject Input = JObject.Parse("""
        {"email": "ana@example.com", "steps": [
            {"day": 0, "template": "welcome"}, {"day": 1, "template": "tips"},
            {"day": 3, "template": "case_study"}, {"day": 7, "template": "upgrade_offer"}]}
        """);

    [Fact]
    public async Task Each_mail_goes_out_on_its_day_and_an_unsubscribe_ends_the_campaign()
    {
        var clock = new ManualClock();
        await using var host = await ExampleHost.StartAsync(clock);
        var id = await host.Start("drip_campaign", Input, id: "ana");
        await host.WaitForStatus(id, "waiting");

        // Day 0's mail is due at the start (the sweep fires a timer once it is overdue); then the campaign sleeps until day 1.
        clock.Advance(TimeSpan.FromSeconds(1));
        var waiting = await host.WaitFor(id, i => TimerDue(i) is { } due && due > clock.GetUtcNow().UtcDateTime.AddHours(12));

        // Not a moment early: 23 hours on, nothing more has been sent.
        clock.Advance(TimeSpan.FromHours(23));
        await Task.Delay(600); // three sweeps of the test host
        Assert.Equal(TimerDue(waiting), TimerDue(await host.Instance(id)));

        clock.Advance(TimeSpan.FromHours(1));
        await host.WaitFor(id, i => TimerDue(i) is { } due && due > TimerDue(waiting)!.Value);

        await host.Post($"/api/instances/{id}/signals/unsubscribe", "null");
        var done = await host.WaitForStatus(id, "completed");
        var result = (JObject)done["result"]!;
        Assert.True((bool)result["unsubscribed"]!);
        Assert.Equal(["welcome", "tips"], ((JArray)result["sent"]!).Select(s => (string)s["template"]!));
        var started = (double)result["started_at"]!;
        Assert.Equal([started, started + 86_400], ((JArray)result["sent"]!).Select(s => (double)s["at"]!));
        // The day-1 timer was due exactly a day after the start (the database keeps milliseconds).
        var dayOne = DateTime.UnixEpoch.AddSeconds(started + 86_400);
        Assert.InRange((TimerDue(waiting)!.Value - dayOne).TotalMilliseconds, -1, 1);
        Assert.Empty((JArray)done["pending"]!["timers"]!);
    }

    [Fact]
    public async Task A_worker_that_comes_back_a_week_late_sends_every_mail_in_order()
    {
        var clock = new ManualClock();
        await using var host = await ExampleHost.StartAsync(clock);
        var id = await host.Start("drip_campaign", Input);
        await host.WaitForStatus(id, "waiting");
        clock.Advance(TimeSpan.FromDays(8));
        var done = await host.WaitForStatus(id, "completed");
        var sent = (JArray)done["result"]!["sent"]!;
        var started = (double)done["result"]!["started_at"]!;
        Assert.Equal(["welcome", "tips", "case_study", "upgrade_offer"], sent.Select(s => (string)s["template"]!));
        Assert.Equal([0, 1, 3, 7], sent.Select(s => ((double)s["at"]! - started) / 86_400));
        Assert.False((bool)done["result"]!["unsubscribed"]!);
    }

    private static DateTime? TimerDue(JObject instance) =>
        instance["pending"]!["timers"]!.FirstOrDefault() is { } timer ? DateTime.Parse((string)timer["dueAt"]!).ToUniversalTime() : null;
}
