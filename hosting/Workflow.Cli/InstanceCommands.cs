using System.CommandLine;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Workflow.Durable;
using Workflow.Hosting.Api;
using Workflow.Hosting;

namespace Workflow.Cli;

/// <summary>
/// The commands that work on instances in a database without running them: `wf start`, `wf show`,
/// `wf signal`, `wf cancel`, `wf pause`, `wf resume`, `wf ls`. Exit codes: 0 done, 1 refused (unknown instance, compile
/// errors, finished instance), 2 bad input (JSON that is not strict JSON, an input or payload over
/// the payload limit, an id or name that breaks NameRules, a --db that names no database).
/// </summary>
internal static class InstanceCommands
{
    public static IEnumerable<Command> Create() => new[] { Start(), Show(), Signal(), Cancel(), Pause(), Resume(), List() };

    internal static Option<string> DbOption() => new("--db")
    {
        Description = "the workflow database: a SQLite file, or a PostgreSQL connection string (Host=…;Database=…, or postgres://…)",
        Required = true,
    };

    private static Command Start()
    {
        var file = new Argument<FileInfo>("file") { Description = "the .wf program" };
        var db = DbOption();
        var input = new Option<string?>("--input") { Description = "the JSON start payload passed to main(input)" };
        var id = new Option<string?>("--id") { Description = "the instance id (default: a new one); an id that exists already returns that instance" };
        var command = new Command("start", "deploy the program's current version and create an instance; prints its id; runs nothing") { file, db, input, id };
        command.SetAction(parse =>
        {
            var source = ReadProgram(parse.GetValue(file)!);
            if (source == null) return 1;
            if (Database(parse.GetValue(db)!) is not { } database) return 2;
            using var store = database.OpenStore(TimeProvider.System);
            var (started, code) = Deploy(store, source.Value.Name, source.Value.Program, parse.GetValue(input), parse.GetValue(id));
            if (started == null) return code;
            Console.Out.WriteLine(started.Id);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The program's name (its file name without .wf) and the program, compiled with the modules it
    /// imports from its directory (they are deployed with it); null, after saying why, when there is no such file.
    /// </summary>
    internal static (string Name, WorkflowProgram Program)? ReadProgram(FileInfo file)
    {
        if (!file.Exists)
        {
            Console.Error.WriteLine($"wf: {file.FullName}: no such file");
            return null;
        }
        return (Path.GetFileNameWithoutExtension(file.Name), WorkflowProgram.Load(Program.RelativePath(file)));
    }

    /// <summary>Deploys and starts; prints diagnostics or the input's error and returns (null, exit code) when refused.</summary>
    internal static (InstanceView? Instance, int ExitCode) Deploy(IWorkflowStore store, string name, WorkflowProgram program, string? input, string? id)
    {
        var client = new WorkflowClient(store);
        try
        {
            // Nothing is written, not even the program, when the start would be refused.
            client.CheckStart(name, input, id);
            client.Deploy(name, program);
            if (program.HasErrors)
            {
                foreach (var d in program.Diagnostics) Console.Error.WriteLine(d);
                Console.Error.WriteLine($"wf: {name}.wf was not deployed: it does not compile");
                return (null, 1);
            }
            var (instance, created) = client.Start(name, input, id);
            if (!created) Console.Error.WriteLine($"wf: instance '{instance.Id}' exists already ({instance.Workflow}, {Status(instance.Status)}); nothing was started");
            return (instance, 0);
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"wf: {e.Message}");
            return (null, 2);
        }
    }

    private static Command Show()
    {
        var id = new Argument<string>("id") { Description = "the instance id" };
        var db = DbOption();
        var command = new Command("show", "the instance as JSON: id, workflow, status, input, result, error, and what it waits for") { id, db };
        command.SetAction(parse =>
        {
            using var store = OpenExisting(parse.GetValue(db)!, out var refused);
            if (store == null) return refused;
            var instance = store.GetInstance(parse.GetValue(id)!);
            if (instance == null) return NoInstance(parse.GetValue(id)!);
            // The same object as GET /api/instances/{id}.
            Console.Out.WriteLine(InstanceJson.Full(instance, store.GetPendingWork(instance.Id)).ToString(Formatting.Indented));
            return 0;
        });
        return command;
    }

    internal static string Status(InstanceStatus status) => status.ToString().ToLowerInvariant();

    private static Command Signal()
    {
        var id = new Argument<string>("id") { Description = "the instance id" };
        var name = new Argument<string>("name") { Description = "the signal's name, as in signal(name)" };
        var db = DbOption();
        var payload = new Option<string?>("--payload") { Description = "the signal's JSON payload (default: null)" };
        var command = new Command("signal", "send a signal to an instance; it queues until the workflow asks for it") { id, name, db, payload };
        command.SetAction(parse =>
        {
            using var store = OpenExisting(parse.GetValue(db)!, out var refused);
            if (store == null) return refused;
            try
            {
                return Delivered(new WorkflowClient(store).Signal(parse.GetValue(id)!, parse.GetValue(name)!, parse.GetValue(payload)), parse.GetValue(id)!);
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"wf: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private static Command Cancel()
    {
        var id = new Argument<string>("id") { Description = "the instance id" };
        var db = DbOption();
        var command = new Command("cancel", "cancel an instance: CancelledError at its awaits, its finally blocks run") { id, db };
        command.SetAction(parse =>
        {
            using var store = OpenExisting(parse.GetValue(db)!, out var refused);
            if (store == null) return refused;
            return Delivered(new WorkflowClient(store).Cancel(parse.GetValue(id)!), parse.GetValue(id)!);
        });
        return command;
    }

    private static Command Pause()
    {
        var id = new Argument<string>("id") { Description = "the instance id" };
        var db = DbOption();
        var command = new Command("pause", "hold an instance: no worker runs it (status paused) until `wf resume`; signals and results queue meanwhile") { id, db };
        command.SetAction(parse =>
        {
            using var store = OpenExisting(parse.GetValue(db)!, out var refused);
            if (store == null) return refused;
            return Delivered(store.Pause(parse.GetValue(id)!), parse.GetValue(id)!);
        });
        return command;
    }

    private static Command Resume()
    {
        var id = new Argument<string>("id") { Description = "the instance id" };
        var db = DbOption();
        var command = new Command("resume", "let a paused instance run again: what queued while it was paused is delivered in arrival order") { id, db };
        command.SetAction(parse =>
        {
            using var store = OpenExisting(parse.GetValue(db)!, out var refused);
            if (store == null) return refused;
            return Delivered(store.Resume(parse.GetValue(id)!), parse.GetValue(id)!);
        });
        return command;
    }

    private static int Delivered(DeliveryResult result, string id)
    {
        switch (result)
        {
            case DeliveryResult.Accepted:
                return 0;
            case DeliveryResult.NotFound:
                return NoInstance(id);
            default:
                Console.Error.WriteLine($"wf: instance '{id}' has finished; nothing was sent");
                return 1;
        }
    }

    private static Command List()
    {
        var db = DbOption();
        var status = new Option<string?>("--status") { Description = "only instances in this status: running, waiting, paused, completed, failed, cancelled, terminated" };
        var workflow = new Option<string?>("--workflow") { Description = "only instances of this workflow" };
        var limit = new Option<int>("--limit") { Description = "at most this many (1 to 1,000), newest first", DefaultValueFactory = _ => 50 };
        var command = new Command("ls", "list instances, newest first: id, workflow, status, last change") { db, status, workflow, limit };
        command.SetAction(parse =>
        {
            InstanceStatus? filter = null;
            if (parse.GetValue(status) is { } s)
            {
                if (!Enum.TryParse<InstanceStatus>(s, ignoreCase: true, out var parsed))
                {
                    Console.Error.WriteLine($"wf: unknown status '{s}' (running, waiting, paused, completed, failed, cancelled, terminated)");
                    return 2;
                }
                filter = parsed;
            }
            using var store = OpenExisting(parse.GetValue(db)!, out var refused);
            if (store == null) return refused;
            var page = store.ListInstances(new InstanceQuery(filter, parse.GetValue(workflow), Math.Clamp(parse.GetValue(limit), 1, 1_000)));
            foreach (var i in page.Instances)
                Console.Out.WriteLine($"{i.Id}\t{i.Workflow}\t{Status(i.Status)}\t{i.UpdatedAt:yyyy-MM-dd HH:mm:ss}Z");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The database --db names; null, after saying why, when the text names none (the command exits 2:
    /// bad input). A refused text is not opened as a SQLite file of that name.
    /// </summary>
    internal static WorkflowDatabase? Database(string db)
    {
        try
        {
            return WorkflowDatabase.Parse(db);
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"wf: --db: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// Opens a database that must exist already (reading commands never create a SQLite file; a
    /// PostgreSQL database always exists). Null, after saying why, with the exit code in [exit]:
    /// 2 for a --db that names no database, 1 for a SQLite file that is not there.
    /// </summary>
    internal static IWorkflowStore? OpenExisting(string db, out int exit)
    {
        exit = 2;
        if (Database(db) is not { } database) return null;
        exit = 1;
        if (database is WorkflowDatabase.Sqlite { Path: var path } && !File.Exists(path))
        {
            Console.Error.WriteLine($"wf: {db}: no such database");
            return null;
        }
        exit = 0;
        return database.OpenStore(TimeProvider.System);
    }

    private static int NoInstance(string id)
    {
        Console.Error.WriteLine($"wf: no instance '{id}'");
        return 1;
    }
}
