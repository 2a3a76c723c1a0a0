using Microsoft.Extensions.Diagnostics.HealthChecks;
using Workflow.Persistence;

namespace Workflow.Hosting;

/// <summary>
/// Healthy when the workflow database takes a write (the store's probe row) and answers; the
/// description says how much work is waiting. Unhealthy when the write fails (read-only, full,
/// locked past the busy timeout, unreachable), or when the SQLite file is gone from its path: the
/// host's open connections would go on writing to the deleted file, and everything written after it
/// went would be lost when they close, so a file that is not there counts as gone whatever they say.
/// </summary>
internal sealed class WorkflowHealthCheck(WorkflowRuntime runtime, TimeProvider clock) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            if (runtime.Database is WorkflowDatabase.Sqlite { Path: var path } && !File.Exists(path))
                return Failed(context, $"the workflow database file {path} is gone: what the host writes now is lost when it stops; put the file back and restart the host");
            await runtime.Store.ProbeWriteAsync(clock.GetUtcNow().UtcDateTime, cancellationToken);
            var work = await runtime.Store.SummaryAsync(cancellationToken);
            return HealthCheckResult.Healthy(
                $"{work.ReadyInstances} ready instances, {work.ActivityTasks} activity tasks, {work.Timers} timers");
        }
        // A check given up on (the request went away, or the health check's timeout) is not a verdict on the database.
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var why = StorageFaults.Classify(e) switch
            {
                StorageFault.Full => "the workflow database is full",
                StorageFault.Unavailable => "the workflow database does not take writes",
                _ => "the workflow database does not answer",
            };
            return Failed(context, $"{why}: {e.Message}", e);
        }
    }

    private static HealthCheckResult Failed(HealthCheckContext context, string description, Exception? error = null) =>
        new(context.Registration.FailureStatus, description, error);
}
