using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Workflow.Hosting;
using Workflow.Hosting.Activities;
using Workflow.Hosting.Api;
using Workflow.Hosting.Diagnostics;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The entry point of a host: <c>builder.Services.AddWorkflows(o => …).UseSqlite("workflow.db")</c>, then <c>app.MapWorkflowApi()</c>.</summary>
public static class WorkflowServiceCollectionExtensions
{
    /// <summary>
    /// Adds the workflow runtime: the database, a background service running turns, activities and
    /// timers, the REST API's services (API-key authentication, problem details, OpenAPI document
    /// <c>workflows</c>), a health check and instrumentation (<c>ActivitySource</c> and <c>Meter</c>
    /// named "Workflow"). Options bind to the configuration section "Workflow" when an IConfiguration
    /// is registered, then [configure] runs; they are validated when the host starts.
    /// </summary>
    public static WorkflowBuilder AddWorkflows(this IServiceCollection services, Action<WorkflowOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<WorkflowOptions>();
        if (services.Any(d => d.ServiceType == typeof(WorkflowsAdded)))
        {
            // Called again (a library and the app both call it): only the new configuration is added.
            if (configure != null) options.Configure(configure);
            return new WorkflowBuilder(services);
        }
        services.AddSingleton<WorkflowsAdded>();
        options.Configure<IServiceProvider>((o, provider) =>
        {
            if (provider.GetService<IConfiguration>()?.GetSection(WorkflowOptions.Section) is { } section && section.Exists()) section.Bind(o);
        });
        if (configure != null) options.Configure(configure);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkflowOptions>, WorkflowOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider =>
        {
            var registry = new ActivityRegistry();
            foreach (var registration in provider.GetServices<ActivityRegistration>()) registry.Add(registration.Name, registration.Handler);
            return registry;
        });
        services.AddMetrics();
        services.TryAddSingleton<WorkflowInstrumentation>();
        services.TryAddSingleton<WorkflowRuntime>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, LoopbackGuard>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WorkflowWorkerService>());

        services.AddProblemDetails();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(ApiKeyAuthentication.Policy, policy => policy
            .AddAuthenticationSchemes(ApiKeyAuthentication.SchemeName)
            .RequireAuthenticatedUser());
        services.AddHealthChecks().AddCheck<WorkflowHealthCheck>("workflow-database");
        services.AddOpenApi(WorkflowApi.DocumentName);
        return new WorkflowBuilder(services);
    }

    /// <summary>Marks a service collection AddWorkflows has set up already.</summary>
    private sealed class WorkflowsAdded;
}
