using Microsoft.AspNetCore.Http;

namespace Workflow.Hosting.Dashboard;

/// <summary>
/// The web dashboard: one static page (dashboard.html, embedded in this assembly, no external
/// scripts or fonts) that works over the REST API. It holds no data itself, so it is served without
/// authentication; the page asks for the API key when the API answers 401.
/// </summary>
internal static class DashboardPage
{
    private const string ResourceName = "Workflow.Hosting.Dashboard.dashboard.html";

    private static readonly Lazy<byte[]> Content = new(() =>
    {
        using var stream = typeof(DashboardPage).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the dashboard page ({ResourceName}) is missing from {typeof(DashboardPage).Assembly.GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static IResult Serve(HttpContext context)
    {
        // A page that the API may refuse must not be cached across keys or versions.
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["Content-Security-Policy"] = "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.Bytes(Content.Value, "text/html; charset=utf-8");
    }
}
