using Newtonsoft.Json.Linq;

namespace Workflow.Examples.Tests;

/// <summary>examples/approval: a human decision by signal, with a timeout, an escalation and an automatic rejection.</summary>
public sealed class ApprovalTests
{
    private static readonly JObject Input = JObject.Parse("""
        {"request": "laptop", "amount": 1800, "requester": "ana", "approver": "bob", "manager": "carol",
         "timeout_hours": 48, "escalation_hours": 24}
        """);

    [Fact]
    public async Task The_approver_decides_in_time()
    {
        await using var host = await ExampleHost.StartAsync(new ManualClock());
        var id = await host.Start("approval", Input);
        await host.WaitFor(id, i => (string)i["status"]! == "waiting" && ((JArray)i["pending"]!["timers"]!).Count == 1);
        // Someone who may not decide is ignored; the approver's decision counts.
        await host.Post($"/api/instances/{id}/signals/decision", """{"approved": true, "by": "mallory"}""");
        await host.Post($"/api/instances/{id}/signals/decision", """{"approved": true, "by": "bob", "comment": "ok"}""");
        var done = await host.WaitForStatus(id, "completed");
        Assert.Equal(JObject.Parse("""
            {"request": "laptop", "amount": 1800, "requester": "ana", "approved": true, "decided_by": "bob", "escalated": false, "comment": "ok"}
            """), done["result"]);
    }

    [Fact]
    public async Task Nobody_answers_so_it_escalates_and_the_manager_decides()
    {
        var clock = new ManualClock();
        await using var host = await ExampleHost.StartAsync(clock);
        var id = await host.Start("approval", Input);
        var first = await host.WaitFor(id, i => (string)i["status"]! == "waiting" && ((JArray)i["pending"]!["timers"]!).Count == 1);
        clock.Advance(TimeSpan.FromHours(49));
        await host.WaitFor(id, i => (string)i["status"]! == "waiting" && ((JArray)i["pending"]!["timers"]!).Count == 1
            && (string)i["pending"]!["timers"]![0]!["dueAt"]! != (string)first["pending"]!["timers"]![0]!["dueAt"]!);
        await host.Post($"/api/instances/{id}/signals/decision", """{"approved": false, "by": "carol", "comment": "too expensive"}""");
        var done = await host.WaitForStatus(id, "completed");
        Assert.Equal(("carol", false, true), ((string)done["result"]!["decided_by"]!, (bool)done["result"]!["approved"]!, (bool)done["result"]!["escalated"]!));
    }

    [Fact]
    public async Task Nobody_answers_at_all_so_it_is_rejected_after_the_escalation_times_out()
    {
        var clock = new ManualClock();
        await using var host = await ExampleHost.StartAsync(clock);
        var id = await host.Start("approval", Input);
        await host.WaitFor(id, i => (string)i["status"]! == "waiting" && ((JArray)i["pending"]!["timers"]!).Count == 1);
        clock.Advance(TimeSpan.FromHours(49));
        await host.WaitFor(id, i => ((JArray)i["pending"]!["timers"]!).Count == 1
            && DateTime.Parse((string)i["pending"]!["timers"]![0]!["dueAt"]!).ToUniversalTime() > clock.GetUtcNow().UtcDateTime);
        clock.Advance(TimeSpan.FromHours(25));
        var done = await host.WaitForStatus(id, "completed");
        Assert.Equal(("timeout", false, true, "no decision within 72 hours"),
            ((string)done["result"]!["decided_by"]!, (bool)done["result"]!["approved"]!, (bool)done["result"]!["escalated"]!, (string)done["result"]!["comment"]!));
    }

    [Fact]
    public async Task A_withdrawn_request_ends_cancelled()
    {
        await using var host = await ExampleHost.StartAsync();
        var id = await host.Start("approval", Input);
        await host.WaitFor(id, i => (string)i["status"]! == "waiting" && ((JArray)i["pending"]!["timers"]!).Count == 1);
        await host.Post($"/api/instances/{id}/cancel", "");
        var done = await host.WaitForStatus(id, "cancelled");
        Assert.Contains("CancelledError", (string?)done["error"]);
    }
}
