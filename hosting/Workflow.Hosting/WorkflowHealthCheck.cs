using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Workflow.Hosting;

/// <summary>Healthy when the workflow database answers; the description says how much work is waiting.</summary>
internal sealed class WorkflowHealthCheck(WorkflowRuntime runtime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var work = runtime.Store.Summary();
            return Task.FromResult(HealthCheckResult.Healthy(
                $"{work.ReadyInstances} ready instances, {work.ActivityTasks} activity tasks, {work.Timers} timers"));
        }
        catch (Exception e)
        {
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, "the workflow database does not answer", e));
        }
    }
}
