using System.Diagnostics;
using System.Diagnostics.Metrics;
using Workflow.Durable;

namespace Workflow.Hosting.Diagnostics;

/// <summary>
/// The runtime's traces and metrics, under one name that OpenTelemetry collects with
/// <c>AddSource("Workflow")</c> and <c>AddMeter("Workflow")</c>. Counters and histograms are tagged
/// with <c>workflow.name</c>; a span per committed turn (<c>workflow.turn</c>) carries the instance id.
/// </summary>
internal sealed class WorkflowInstrumentation : IDisposable
{
    public const string Name = "Workflow";

    private readonly Meter _meter;
    private readonly Counter<long> _started;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _cancelled;
    private readonly Histogram<double> _turnDuration;
    private readonly Histogram<long> _pickleSize;

    public ActivitySource Source { get; } = new(Name);

    public WorkflowInstrumentation(IMeterFactory? meters = null)
    {
        _meter = meters?.Create(Name) ?? new Meter(Name);
        _started = _meter.CreateCounter<long>("workflow.instances.started", "{instance}", "Instances that ran their first turn.");
        _completed = _meter.CreateCounter<long>("workflow.instances.completed", "{instance}", "Instances that returned a result.");
        _failed = _meter.CreateCounter<long>("workflow.instances.failed", "{instance}", "Instances that ended with an error.");
        _cancelled = _meter.CreateCounter<long>("workflow.instances.cancelled", "{instance}", "Instances that ended cancelled.");
        _turnDuration = _meter.CreateHistogram<double>("workflow.turn.duration", "s", "Time one turn took: unpickle, deliver, run, pickle (the commit is shared by the batch).");
        _pickleSize = _meter.CreateHistogram<long>("workflow.pickle.size", "By", "Size of the pickle a waiting instance's turn committed.");
    }

    /// <summary>Records one committed turn (TurnWorker's report).</summary>
    public void Record(TurnReport turn)
    {
        var workflow = new KeyValuePair<string, object?>("workflow.name", turn.Workflow);
        if (turn.FirstTurn) _started.Add(1, workflow);
        switch (turn.Commit.Status)
        {
            case InstanceStatus.Completed: _completed.Add(1, workflow); break;
            case InstanceStatus.Failed: _failed.Add(1, workflow); break;
            case InstanceStatus.Cancelled: _cancelled.Add(1, workflow); break;
        }
        _turnDuration.Record(turn.Elapsed.TotalSeconds, workflow);
        if (turn.Commit.Status == InstanceStatus.Waiting && turn.Commit.Pickle is { } pickle) _pickleSize.Record(pickle.Length, workflow);
        if (!Source.HasListeners()) return;
        // The span is made after the fact (the engine has no tracing of its own), with the turn's real start and length.
        using var span = Source.StartActivity("workflow.turn", ActivityKind.Internal, parentContext: default, startTime: turn.StartedAt);
        if (span == null) return;
        span.SetTag("workflow.name", turn.Workflow);
        span.SetTag("workflow.instance_id", turn.Commit.InstanceId);
        span.SetTag("workflow.status", turn.Commit.Status.ToString().ToLowerInvariant());
        span.SetTag("workflow.revision", turn.Revision);
        if (turn.Commit.Status == InstanceStatus.Failed) span.SetStatus(ActivityStatusCode.Error, turn.Commit.ErrorSummary);
        span.SetEndTime((turn.StartedAt + turn.Elapsed).UtcDateTime);
    }

    public void Dispose()
    {
        Source.Dispose();
        _meter.Dispose();
    }
}
