using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Workflow.Hosting.Api;
using Workflow.Hosting.Dashboard;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps what AddWorkflows provides onto a web application.</summary>
public static class WorkflowEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the REST API under <c>/api</c> (DESIGN.md; API key in <c>X-Api-Key</c> when configured),
    /// its OpenAPI document at <c>/openapi/workflows.json</c>, the health check at <c>/healthz</c>,
    /// and, unless [dashboard] is false, the web dashboard at <c>/</c>. Returns the <c>/api</c> group.
    /// </summary>
    public static IEndpointConventionBuilder MapWorkflowApi(this IEndpointRouteBuilder endpoints, bool dashboard = true)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = WorkflowApi.Map(endpoints);
        endpoints.MapOpenApi("/openapi/{documentName}.json");
        endpoints.MapHealthChecks("/healthz");
        if (dashboard) endpoints.MapGet("/", DashboardPage.Serve).ExcludeFromDescription();
        return api;
    }
}
