using Newtonsoft.Json.Linq;
using Workflow.Hosting.Tests.Api;

namespace Workflow.Examples.Tests;

/// <summary>examples/fanout: a billing run fans out one child workflow per customer and fans their invoices in.</summary>
public sealed class FanOutTests
{
    [Fact]
    public async Task Every_customer_is_invoiced_by_its_own_child_and_a_bad_one_is_reported()
    {
        await using var host = await ExampleHost.StartAsync();
        var id = await host.Start("billing_run", JObject.Parse("""
            {"period": "2026-11", "customers": [
                {"id": "c1", "usage": [3, 4]}, {"id": "c2", "usage": [40, 20]}, {"id": "c3", "usage": [5, -1]}, {"id": "c4", "usage": []}]}
            """), id: "run-nov");
        var done = await host.WaitForStatus(id, "completed");
        var result = (JObject)done["result"]!;
        // Tiers: 2.0 up to 10 units, 1.5 up to 50, 1.0 beyond. c1: 7 units = 14; c2: 60 units = 20 + 60 + 10 = 90.
        Assert.Equal(JObject.Parse("""{"c1": 14.0, "c2": 90.0, "c4": 0.0}"""), result["amounts"]);
        Assert.Equal((3, 104.0), ((int)result["count"]!, (double)result["total"]!));
        var failed = Assert.Single((JArray)result["failed"]!);
        Assert.Equal("c3", (string?)failed["customer"]);
        Assert.Contains("bad usage reading -1", (string?)failed["error"]);

        // The children are instances of their own, named after the run.
        var children = await ApiHost.Json(await host.Get("/api/instances?workflow=invoice_customer"), System.Net.HttpStatusCode.OK);
        var rows = ((JArray)children["instances"]!).ToDictionary(r => (string)r["id"]!, r => (string)r["status"]!);
        Assert.Equal(4, rows.Count);
        Assert.All(rows.Keys, child => Assert.StartsWith("run-nov.", child));
        Assert.Equal(1, rows.Values.Count(s => s == "failed"));
    }
}
