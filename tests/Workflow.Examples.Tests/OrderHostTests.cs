using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using OrderHost;
using Workflow.Hosting.Tests.Api;

namespace Workflow.Examples.Tests;

/// <summary>examples/orders: the order saga in its own C# host (OrderHost), with the host's activities, through its REST API.</summary>
public sealed class OrderHostTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("wf-orders-").FullName;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _app = OrderApp.Build([
            "--urls", "http://127.0.0.1:0",
            $"--Workflow:DatabasePath={Path.Combine(_directory, "orders.db")}",
            // Quick retries: a declined card is retried once before the saga compensates.
            "--Workflow:Activities:BaseDelay=00:00:00.010", "--Workflow:Activities:MaxDelay=00:00:00.050",
        ]);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<JObject> Run(string orderJson)
    {
        var order = JObject.Parse(orderJson);
        var started = await ApiHost.Json(await _http.PostAsync("/api/instances",
            new StringContent(new JObject { ["workflow"] = "order_fulfilment", ["input"] = order, ["id"] = order["order_id"] }.ToString())), HttpStatusCode.Created);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var instance = JObject.Parse(await _http.GetStringAsync($"/api/instances/{started["id"]}"));
            if ((string)instance["status"]! is not ("running" or "waiting")) return instance;
            Assert.True(DateTime.UtcNow < deadline, $"the order did not finish: {instance}");
            await Task.Delay(50);
        }
    }

    private async Task<JObject> Shop() => JObject.Parse(await _http.GetStringAsync("/shop"));

    [Fact]
    public async Task An_order_is_reserved_charged_and_shipped()
    {
        var done = await Run("""{"order_id": "o-1", "items": [{"sku": "book", "qty": 2}], "amount": 40, "card": "4242424242424242"}""");
        Assert.Equal("completed", (string?)done["status"]);
        Assert.Equal(JObject.Parse("""{"order_id": "o-1", "status": "fulfilled", "reservation": "res-1", "payment": "pay-1", "tracking": "track-1"}"""), done["result"]);
        var shop = await Shop();
        Assert.Equal(8, (int)shop["stock"]!["book"]!);
        Assert.Equal(1, (int)shop["shipments"]!);
    }

    [Fact]
    public async Task A_declined_card_releases_the_reserved_stock()
    {
        var done = await Run($$"""{"order_id": "o-2", "items": [{"sku": "lamp", "qty": 3}], "amount": 90, "card": "{{OrderHost.Shop.DeclinedCard}}"}""");
        var result = (JObject)done["result"]!;
        Assert.Equal(("compensated", "charge_payment"), ((string)result["status"]!, (string)result["failed_step"]!));
        Assert.Contains("card declined", (string?)result["error"]);
        Assert.Equal(["release_stock"], ((JArray)result["compensations"]!).Select(c => (string)c!));
        var shop = await Shop();
        Assert.Equal(3, (int)shop["stock"]!["lamp"]!);
        Assert.Empty((JArray)shop["payments"]!);
    }

    [Fact]
    public async Task A_failed_shipment_refunds_the_payment_then_releases_the_stock()
    {
        var done = await Run("""{"order_id": "o-3", "items": [{"sku": "book", "qty": 1}], "amount": 20, "card": "4242424242424242", "ship_to": "nowhere"}""");
        var result = (JObject)done["result"]!;
        Assert.Equal(("compensated", "ship_order"), ((string)result["status"]!, (string)result["failed_step"]!));
        Assert.Equal(["refund_payment", "release_stock"], ((JArray)result["compensations"]!).Select(c => (string)c!));
        var shop = await Shop();
        Assert.Equal(10, (int)shop["stock"]!["book"]!);
        Assert.Equal(JArray.Parse("""[{"id": "pay-1", "amount": 20.0, "refunded": true}]"""), shop["payments"]);
    }

    [Fact]
    public async Task Out_of_stock_fails_the_first_step_and_there_is_nothing_to_undo()
    {
        var done = await Run("""{"order_id": "o-4", "items": [{"sku": "chair", "qty": 1}], "amount": 99, "card": "4242424242424242"}""");
        var result = (JObject)done["result"]!;
        Assert.Equal(("compensated", "reserve_stock"), ((string)result["status"]!, (string)result["failed_step"]!));
        Assert.Contains("out of stock: chair", (string?)result["error"]);
        Assert.Empty((JArray)result["compensations"]!);
    }
}
