using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;

namespace OrderHost;

/// <summary>Builds the order host: the workflow runtime with the saga's five activities, over the <see cref="Shop"/>.</summary>
public static class OrderApp
{
    /// <summary>
    /// [args] are ASP.NET Core's: <c>--urls</c>, and configuration such as
    /// <c>--Workflow:DatabasePath=orders.db</c> or <c>--Workflow:Activities:BaseDelay=00:00:00.1</c>.
    /// </summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (builder.Configuration["urls"] == null) builder.WebHost.UseUrls("http://127.0.0.1:5090");
        var shop = new Shop();
        builder.Services.AddSingleton(shop);
        builder.Services.AddWorkflows()
            .UseSqlite(builder.Configuration["Workflow:DatabasePath"] ?? "orders.db")
            .AddPrograms(Path.Combine(AppContext.BaseDirectory, "workflows"))
            // Each handler passes the call's idempotency key on, so a retried or re-run attempt has its effect once.
            .AddActivity("reserve_stock", context => new JObject { ["reservation"] = shop.Reserve(Order(context), context.IdempotencyKey) })
            .AddActivity("charge_payment", context => new JObject { ["payment"] = shop.Charge(Order(context), context.IdempotencyKey) })
            .AddActivity("ship_order", context => new JObject { ["tracking"] = shop.Ship(Order(context), context.IdempotencyKey) })
            .AddActivity("release_stock", context => shop.Release(Text(context)))
            .AddActivity("refund_payment", context => shop.Refund(Text(context)));
        var app = builder.Build();
        app.MapWorkflowApi();
        // What the shop's "services" did, for the demo and the tests: stock levels, payments and refunds.
        app.MapGet("/shop", () => Microsoft.AspNetCore.Http.Results.Content(shop.Ledger().ToString(), "application/json"));
        return app;
    }

    private static JObject Order(Workflow.Hosting.Activities.ActivityContext context) =>
        context.Argument(0) as JObject ?? throw new ArgumentException($"{context.Name} takes the order (a JSON object) as its first argument");

    private static string Text(Workflow.Hosting.Activities.ActivityContext context) =>
        context.Argument(0) is { Type: JTokenType.String } value ? (string)value! : throw new ArgumentException($"{context.Name} takes an id (a string)");
}
