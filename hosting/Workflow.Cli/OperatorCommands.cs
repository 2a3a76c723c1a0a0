using System.CommandLine;
using Workflow.Durable;

namespace Workflow.Cli;

/// <summary>
/// An operator's acts on an instance, on the database directly: `wf terminate`, `wf rewind`,
/// `wf fork`. A worker serving the database picks the result up (timers a rewind or fork sets
/// again fire from the workers' timer sweep, or at their next start).
/// </summary>
internal static class OperatorCommands
{
    public static IEnumerable<Command> Create() => new[] { Terminate(), Rewind(), Fork() };

    private static Command Terminate()
    {
        var id = new Argument<string>("id") { Description = "the instance id" };
        var db = InstanceCommands.DbOption();
        var reason = new Option<string?>("--reason") { Description = "why: kept in the instance's error and journal" };
        var command = new Command("terminate", "end an instance at once (status terminated): no script code runs, its activities are called off, its children terminated") { id, db, reason };
        command.SetAction(parse =>
        {
            using var store = InstanceCommands.OpenExisting(parse.GetValue(db)!, out var refused);
            if (store == null) return refused;
            var instance = parse.GetValue(id)!;
            switch (new WorkflowClient(store).Terminate(instance, parse.GetValue(reason)))
            {
                case DeliveryResult.Accepted:
                    Console.Out.WriteLine($"terminated: {instance}");
                    return 0;
                case DeliveryResult.NotFound:
                    return Refuse($"no instance '{instance}'");
                default:
                    return Refuse($"instance '{instance}' has finished; nothing was terminated");
            }
        });
        return command;
    }

    private static Command Rewind()
    {
        var id = new Argument<string>("id") { Description = "the instance id" };
        var db = InstanceCommands.DbOption();
        var toTurn = new Option<int>("--to-turn") { Description = "the turn whose pickle the instance continues from (wf history lists them)", Required = true };
        var noSignals = new Option<bool>("--no-signals") { Description = "do not queue again the signals consumed after that turn" };
        var reason = new Option<string?>("--reason") { Description = "why: kept in the journal" };
        var command = new Command("rewind", "take an instance back to a turn: it continues from that turn's pickle, as if what came after never happened") { id, db, toTurn, noSignals, reason };
        command.SetAction(parse =>
        {
            using var store = InstanceCommands.OpenExisting(parse.GetValue(db)!, out var refused);
            if (store == null) return refused;
            var instance = parse.GetValue(id)!;
            try
            {
                var timers = new WorkflowClient(store).RewindAsync(instance, parse.GetValue(toTurn), !parse.GetValue(noSignals), parse.GetValue(reason), CancellationToken.None)
                    .GetAwaiter().GetResult();
                if (timers == null) return Refuse($"no instance '{instance}'");
                Console.Out.WriteLine($"rewound: {instance} to turn {parse.GetValue(toTurn)}");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                return Refuse(e.Message);
            }
        });
        return command;
    }

    private static Command Fork()
    {
        var id = new Argument<string>("id") { Description = "the instance id" };
        var db = InstanceCommands.DbOption();
        var atTurn = new Option<int>("--at-turn") { Description = "the turn whose pickle the new instance starts from", Required = true };
        var newId = new Option<string?>("--id") { Description = "the new instance's id (default: a new one)" };
        var version = new Option<string?>("--version") { Description = "run the new instance on this program version (its hash); its resume sites must match" };
        var command = new Command("fork", "start a new instance from the pickle a turn of an instance committed; prints its id") { id, db, atTurn, newId, version };
        command.SetAction(parse =>
        {
            using var store = InstanceCommands.OpenExisting(parse.GetValue(db)!, out var refused);
            if (store == null) return refused;
            var instance = parse.GetValue(id)!;
            try
            {
                var forked = new WorkflowClient(store).ForkAsync(instance, parse.GetValue(atTurn), parse.GetValue(newId), parse.GetValue(version), CancellationToken.None)
                    .GetAwaiter().GetResult();
                if (forked == null) return Refuse($"no instance '{instance}'");
                Console.Out.WriteLine(forked.Value.Id);
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException or FormatException)
            {
                return Refuse(e.Message);
            }
        });
        return command;
    }

    private static int Refuse(string message)
    {
        Console.Error.WriteLine("wf: " + message);
        return 1;
    }
}
