using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Workflow.Hosting;

/// <summary>
/// The background service AddWorkflows registers: opens the database at start (so a broken
/// database or program stops the host before it serves), then runs the worker until shutdown.
/// </summary>
internal sealed class WorkflowWorkerService(WorkflowRuntime runtime, IOptions<WorkflowOptions> options) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        runtime.Start();
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Value.RunWorker ? runtime.RunWorkerAsync(stoppingToken) : Task.CompletedTask;
}
