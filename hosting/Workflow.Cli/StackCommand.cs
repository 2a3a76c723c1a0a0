using System.CommandLine;
using Newtonsoft.Json.Linq;
using Workflow.Hosting.Api;
using Workflow.Pickling;

namespace Workflow.Cli;

/// <summary>`wf stack ID --db PATH [--json]`: a sleeping instance's frame chain, read from its pickle; no worker needed.</summary>
internal static class StackCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "the instance id" };
        var db = InstanceCommands.DbOption();
        var json = new Option<bool>("--json") { Description = "print JSON: each tasklet, each frame's function, line and live variables" };
        var command = new Command("stack", "show a waiting instance's frame chain with its live variables") { id, db, json };
        command.SetAction(parse => Run(parse.GetValue(id)!, parse.GetValue(db)!, parse.GetValue(json)));
        return command;
    }

    private static int Run(string id, string dbPath, bool json)
    {
        using var store = InstanceCommands.OpenExisting(dbPath, out var refused);
        if (store == null) return refused;
        var instance = store.GetInstance(id);
        if (instance == null)
        {
            Console.Error.WriteLine($"wf: no instance '{id}' in {dbPath}");
            return 1;
        }
        try
        {
            if (json)
            {
                Console.Out.WriteLine(InstanceJson.Stack(instance).ToString(Newtonsoft.Json.Formatting.Indented));
            }
            else
            {
                Console.Out.WriteLine($"instance {instance.Id} ({instance.Workflow}): {instance.Status.ToString().ToLowerInvariant()}");
                if (instance.Pickle != null) Console.Out.Write(StackReport.Text(instance.Pickle));
            }
            return 0;
        }
        catch (PickleException e)
        {
            // A damaged pickle is reported with where it is damaged; the row stays as it is for inspection.
            Console.Error.WriteLine($"wf: the pickle of instance '{id}' is damaged: {e.Message}");
            return 1;
        }
    }
}
