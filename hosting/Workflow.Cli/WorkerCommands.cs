using System.CommandLine;
using System.Text;
using Microsoft.Extensions.Logging;
using Workflow.Durable;
using Workflow.Hosting;
using Workflow.Hosting.Activities;
using Workflow.Runtime;

namespace Workflow.Cli;

/// <summary>The commands that run instances durably: `wf worker` and `wf run` (on a database: --db, or a temporary one).</summary>
internal static class WorkerCommands
{
    public static Command Worker()
    {
        var db = InstanceCommands.DbOption();
        var exitWhenIdle = new Option<bool>("--exit-when-idle") { Description = "stop once no instance can make progress without a signal (or a `wf resume`)" };
        var lease = new Option<double?>("--lease") { Description = "seconds a claim holds an instance before another worker may take it over (default 30)" };
        var everyAwait = new Option<bool>("--commit-every-await") { Description = "commit after every await and channel operation, not only at the end of each turn" };
        var verbose = new Option<bool>("--verbose") { Description = "log every committed turn" };
        var command = new Command("worker", "run turns, activities and timers on the database until stopped (Ctrl+C)") { db, exitWhenIdle, lease, everyAwait, verbose };
        command.SetAction(async (parse, cancellation) =>
        {
            // Hand control back at once: the library installs its Ctrl+C/SIGTERM handling only when the
            // action first yields, and a worker's start runs synchronously for a while (a SIGTERM then
            // killed it outright, with its claims held).
            await Task.Yield();
            var path = parse.GetValue(db)!;
            DurableWorkerOptions options;
            try
            {
                options = Options(parse.GetValue(lease), parse.GetValue(everyAwait), maxTicks: null);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"wf: {e.Message}");
                return 2;
            }
            if (InstanceCommands.Database(path) is not { } database) return 2;
            using var loggers = Loggers(parse.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information);
            using var store = OpenForWriting(database);
            if (store == null) return 1;
            await using var worker = new DurableWorker(store, database, new ActivityRegistry(), options, loggers);
            var logger = loggers.CreateLogger("wf");
            logger.LogInformation("worker {Worker} on {Database}", worker.WorkerId, database.Description);
            try
            {
                await worker.RunAsync(cancellation, parse.GetValue(exitWhenIdle));
            }
            catch (Exception e) when (!cancellation.IsCancellationRequested)
            {
                // The worker throws when it cannot start (register, start its timers): one line says why; --verbose adds the trace.
                logger.LogDebug(e, "worker {Worker} failed", worker.WorkerId);
                Console.Error.WriteLine($"wf: the worker on {database.Description} stopped: {e.Message}");
                return 1;
            }
            return 0;
        });
        return command;
    }

    /// <summary>Opens [database] for a worker, which must be able to write it; null, after saying which database and why, when it cannot.</summary>
    private static IWorkflowStore? OpenForWriting(WorkflowDatabase database)
    {
        try
        {
            return database.OpenForWriting(TimeProvider.System);
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"wf: {e.Message}");
            return null;
        }
    }

    internal static DurableWorkerOptions Options(double? leaseSeconds, bool everyAwait, long? maxTicks)
    {
        var interpreter = new InterpreterOptions();
        if (maxTicks != null) interpreter.MaxTicks = maxTicks.Value;
        if (leaseSeconds is { } given && !(given >= 1 && given <= 86_400))
            throw new ArgumentException($"--lease must be between 1 and 86,400 seconds, not {given}");
        var lease = leaseSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromSeconds(30);
        return new DurableWorkerOptions
        {
            Turns = new WorkerOptions
            {
                Lease = lease,
                Turn = new InstanceLimits().TurnOptions(interpreter, everyAwait ? CommitMode.EveryAwait : CommitMode.EveryTurn),
            },
        };
    }

    private static ILoggerFactory Loggers(LogLevel level) => LoggerFactory.Create(logging => logging
        .SetMinimumLevel(level)
        .AddFilter("Quartz", LogLevel.Warning)
        .AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss.fff "; })
        .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));

    /// <summary>
    /// `wf run FILE --db PATH`: deploys, starts and runs the instance in this process (with the rest
    /// of the database's work) until it ends, or until it waits (or is paused) with nothing left but signals.
    /// Without --db the same happens on a temporary database that is deleted afterwards.
    /// </summary>
    public static async Task<int> RunDurably(FileInfo file, string? input, long? maxTicks, string? dbPath, CancellationToken cancellation)
    {
        var source = InstanceCommands.ReadProgram(file);
        if (source == null) return 1;
        var given = dbPath == null ? null : InstanceCommands.Database(dbPath);
        if (dbPath != null && given == null) return 2;
        var temporary = dbPath == null ? Directory.CreateTempSubdirectory("wf-run-") : null;
        var path = dbPath ?? Path.Combine(temporary!.FullName, "run.db");
        using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
        try
        {
            using var loggers = LoggerFactory.Create(logging => logging
                .SetMinimumLevel(LogLevel.Warning)
                .AddFilter("Quartz", LogLevel.Error)
                // `wf run` prints its instance's error itself, whole.
                .AddFilter("Workflow.Instances", LogLevel.None)
                .AddConsole(console => { console.FormatterName = "bare"; console.LogToStandardErrorThreshold = LogLevel.Trace; })
                .AddConsoleFormatter<BareConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>());
            var database = given ?? new WorkflowDatabase.Sqlite(path);
            using var store = OpenForWriting(database);
            if (store == null) return 1;
            var (instance, exit) = InstanceCommands.Deploy(store, source.Value.Name, source.Value.Program, input, null);
            if (instance == null) return exit;
            var id = instance.Id;
            await using (var worker = new DurableWorker(store, database, new ActivityRegistry(), Options(null, false, maxTicks), loggers,
                output: (instanceId, text) => { if (instanceId == id) lock (stdout) stdout.Write(text); }))
            {
                await worker.RunAsync(cancellation, done: () =>
                {
                    var now = store.GetInstance(id)!;
                    return now.Status.IsFinal()
                        // Paused (`wf pause` from another shell): no work of it is left to do here until `wf resume`.
                        || (now.Status is InstanceStatus.Waiting or InstanceStatus.Paused && store.Summary().IsIdle);
                });
            }
            var final = store.GetInstance(id)!;
            switch (final.Status)
            {
                case InstanceStatus.Completed:
                    if (final.ResultJson != null) stdout.WriteLine(final.ResultJson);
                    return 0;
                case InstanceStatus.Waiting or InstanceStatus.Paused:
                    stdout.WriteLine($"{InstanceCommands.Status(final.Status)}: {id}");
                    if (temporary != null) Console.Error.WriteLine("wf: the instance ran on a temporary database and is discarded; use --db to keep it");
                    return 0;
                default:
                    stdout.Flush();
                    Console.Error.Write(final.Error?.EndsWith('\n') == true ? final.Error : final.Error + "\n");
                    return 1;
            }
        }
        finally
        {
            stdout.Flush();
            if (temporary != null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                temporary.Delete(recursive: true);
            }
        }
    }
}
