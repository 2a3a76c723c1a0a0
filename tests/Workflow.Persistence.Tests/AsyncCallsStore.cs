using Workflow.Durable;
using Workflow.Tests.Shared;

namespace Workflow.Persistence.Tests;

/// <summary>
/// A store whose synchronous request-path methods (deploy, read a program, start, read, list, signal,
/// cancel, pause, resume, probe, summary) are answered by the wrapped store's Async ones, so that the store tests written against
/// the synchronous interface check the Async methods too. Each call runs on the thread pool, as a
/// request does, and is waited for here; everything else passes straight through.
/// </summary>
internal sealed class AsyncCallsStore(IWorkflowStore inner) : PassThroughStore(inner)
{
    // Never cancelled; a token that can be makes the providers take the paths a request's token takes.
    private readonly CancellationTokenSource _never = new();

    private T Await<T>(Func<CancellationToken, Task<T>> call) => Task.Run(() => call(_never.Token)).GetAwaiter().GetResult();

    private void Await(Func<CancellationToken, Task> call) => Task.Run(() => call(_never.Token)).GetAwaiter().GetResult();

    public override void SaveProgram(string name, string source, string hash, IReadOnlyDictionary<string, string>? modules = null) =>
        Await(c => Inner.SaveProgramAsync(name, source, hash, modules, c));
    public override ProgramVersion? GetLatestProgram(string name) => Await(c => Inner.GetLatestProgramAsync(name, c));
    public override IReadOnlyList<Deployment> ListDeployments() => Await(Inner.ListDeploymentsAsync);
    public override IReadOnlyList<Deployment> ListDeploymentsOf(string name) => Await(c => Inner.ListDeploymentsOfAsync(name, c));
    public override ProgramVersion? GetProgram(string hash) => Await(c => Inner.GetProgramAsync(hash, c));
    public override (InstanceView Instance, bool Created) StartInstance(NewInstance instance) => Await(c => Inner.StartInstanceAsync(instance, c));
    public override InstanceView? GetInstance(string id) => Await(c => Inner.GetInstanceAsync(id, c));
    public override InstancePage ListInstances(InstanceQuery query) => Await(c => Inner.ListInstancesAsync(query, c));
    public override PendingWork GetPendingWork(string instanceId) => Await(c => Inner.GetPendingWorkAsync(instanceId, c));
    public override JournalPage? GetHistory(string instanceId, int afterTurn, int limit) => Await(c => Inner.GetHistoryAsync(instanceId, afterTurn, limit, c));
    public override TurnPickle? GetTurnPickle(string instanceId, int turn) => Await(c => Inner.GetTurnPickleAsync(instanceId, turn, c));
    public override DeliveryResult Terminate(string instanceId, string? reason) => Await(c => Inner.TerminateAsync(instanceId, reason, c));
    public override (RewindResult Result, IReadOnlyList<TimerRow> Timers) Rewind(string instanceId, int expectedTurns, byte[] pickle, RewindPlan plan) =>
        Await(c => Inner.RewindAsync(instanceId, expectedTurns, pickle, plan, c));
    public override (bool Created, IReadOnlyList<TimerRow> Timers) StartFork(NewInstance fork, byte[] pickle, RewindPlan plan) =>
        Await(c => Inner.StartForkAsync(fork, pickle, plan, c));
    public override DeliveryResult Signal(string instanceId, string name, string payloadJson) => Await(c => Inner.SignalAsync(instanceId, name, payloadJson, c));
    public override DeliveryResult Cancel(string instanceId) => Await(c => Inner.CancelAsync(instanceId, c));
    public override DeliveryResult Pause(string instanceId) => Await(c => Inner.PauseAsync(instanceId, c));
    public override DeliveryResult Resume(string instanceId) => Await(c => Inner.ResumeAsync(instanceId, c));
    public override void ProbeWrite(DateTime now) => Await(c => Inner.ProbeWriteAsync(now, c));
    public override WorkSummary Summary() => Await(Inner.SummaryAsync);

    /// <summary>Closes the wrapped store: the test opened it for this wrapper alone.</summary>
    public override void Dispose()
    {
        Inner.Dispose();
        _never.Dispose();
    }
}
