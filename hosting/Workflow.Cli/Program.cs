using System.CommandLine;
using System.Text;
using Workflow;
using Workflow.Runtime;

namespace Workflow.Cli;

/// <summary>The `wf` command-line tool.</summary>
internal static class Program
{
    /// <summary>
    /// How long a command stopped by Ctrl+C or SIGTERM has to finish before the process ends anyway:
    /// long enough for a worker to stop its loops and hand its claims to the others (a graceful stop),
    /// short of the 10 s after which `docker stop` kills. The library's default, 2 s, cut that short.
    /// </summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(8);

    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("wf: run, check and inspect durable workflows written in the .wf language");
        root.Subcommands.Add(RunCommand());
        root.Subcommands.Add(CheckCommand());
        root.Subcommands.Add(DisCommand());
        root.Subcommands.Add(StackCommand.Create());
        root.Subcommands.Add(HistoryCommand.Create());
        foreach (var command in InstanceCommands.Create()) root.Subcommands.Add(command);
        foreach (var command in OperatorCommands.Create()) root.Subcommands.Add(command);
        root.Subcommands.Add(WorkerCommands.Worker());
        root.Subcommands.Add(ServeCommand.Create());
        try
        {
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = StopTimeout, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (Workflow.Persistence.StorageFaults.Classify(e) != Workflow.Persistence.StorageFault.None)
        {
            // The database, not wf, is at fault (read-only, locked, gone, full): one line, as the commands that open it for writing say it.
            Console.Error.WriteLine($"wf: the workflow database failed: {e.Message}");
            return 1;
        }
        catch (Exception e)
        {
            // A fault of wf itself: the whole trace, as the library's own handler printed it.
            Console.Error.WriteLine($"wf: unexpected error: {e}");
            return 1;
        }
    }

    private static Argument<FileInfo> FileArgument() => new("file") { Description = "the .wf program" };

    private static Command RunCommand()
    {
        var file = FileArgument();
        var input = new Option<string?>("--input") { Description = "the JSON start payload passed to main(input)" };
        var maxTicks = new Option<long?>("--max-ticks") { Description = "stop a runaway program after this many loop iterations and calls (0: no limit)" };
        var chaos = new Option<bool>("--chaos") { Description = "at every safe point, pickle the instance, drop the VM and go on in one unpickled from the bytes" };
        var db = new Option<string?>("--db") { Description = "run durably on this database (a SQLite file or a PostgreSQL connection string), which keeps the instance (default: a temporary SQLite file, deleted afterwards)" };
        var command = new Command("run", "run a program: its top-level code, then main(input); prints the JSON result last") { file, input, maxTicks, chaos, db };
        command.SetAction(parse => Run(parse.GetValue(file)!, parse.GetValue(input), parse.GetValue(maxTicks), parse.GetValue(chaos), parse.GetValue(db)));
        return command;
    }

    private static Command CheckCommand()
    {
        var file = FileArgument();
        var command = new Command("check", "report compile errors as file:line:col: message; exit 1 when there are any") { file };
        command.SetAction(parse =>
        {
            var program = Load(parse.GetValue(file)!);
            if (program == null) return 1;
            Console.Out.WriteLine($"{program.FileName}: ok");
            return 0;
        });
        return command;
    }

    private static Command DisCommand()
    {
        var file = FileArgument();
        var command = new Command("dis", "print the bytecode, function by function, with resume sites and their live variables") { file };
        command.SetAction(parse =>
        {
            var program = Load(parse.GetValue(file)!);
            if (program == null) return 1;
            Console.Out.Write(program.Disassemble());
            return 0;
        });
        return command;
    }

    /// <summary>Compiles the program, printing its diagnostics; null when it has errors.</summary>
    private static WorkflowProgram? Load(FileInfo file)
    {
        if (!file.Exists)
        {
            Console.Error.WriteLine($"wf: {file.FullName}: no such file");
            return null;
        }
        var program = WorkflowProgram.Load(RelativePath(file));
        foreach (var d in program.Diagnostics) Console.Error.WriteLine(d);
        return program.HasErrors ? null : program;
    }

    /// <summary>The path diagnostics and tracebacks show: relative to the working directory when the file is under it.</summary>
    internal static string RelativePath(FileInfo file)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, file.FullName);
        return relative.StartsWith("..", StringComparison.Ordinal) ? file.FullName : relative;
    }

    private static int Run(FileInfo file, string? input, long? maxTicks, bool chaos, string? dbPath)
    {
        if (!chaos) return WorkerCommands.RunDurably(file, input, maxTicks, dbPath, CancellationToken.None).GetAwaiter().GetResult();
        if (dbPath != null)
        {
            Console.Error.WriteLine("wf: --chaos runs in memory; it cannot be combined with --db");
            return 2;
        }
        var program = Load(file);
        if (program == null) return 1;
        var options = new InterpreterOptions { Chaos = true };
        if (maxTicks != null) options.MaxTicks = maxTicks.Value;
        using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
        try
        {
            var result = program.Run(input, stdout, options, message => Console.Error.WriteLine(message));
            switch (result.Status)
            {
                case ProgramStatus.Waiting:
                    // Chaos runs have no database: nothing outside can settle what the instance waits for.
                    stdout.WriteLine("waiting: (chaos run, in memory)");
                    return 0;
                case ProgramStatus.Completed:
                    if (result.ResultJson != null) stdout.WriteLine(result.ResultJson);
                    return 0;
                default:
                    stdout.Flush();
                    Console.Error.Write(result.ErrorText);
                    return 1;
            }
        }
        catch (FormatException e)
        {
            stdout.Flush();
            Console.Error.WriteLine($"wf: {e.Message}");
            return 2;
        }
        catch (ExecutionLimitExceeded e)
        {
            stdout.Flush();
            Console.Error.WriteLine($"wf: {e.Message}");
            return 1;
        }
        catch (Workflow.Pickling.PickleException e)
        {
            // What chaos is there to find: a state the pickle does not carry. The message names the place in the pickle.
            stdout.Flush();
            Console.Error.WriteLine($"wf: the chaos run could not resume from its pickle: {e.Message}\nThe program ran as far as its output shows; this is a bug in the engine.");
            return 1;
        }
        finally
        {
            stdout.Flush();
        }
    }
}
