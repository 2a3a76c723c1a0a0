using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workflow.Hosting;

namespace Workflow.Cli;

/// <summary>
/// `wf serve`: the host. Workers, timers, the REST API and the dashboard in one process, on a SQLite
/// file (workflow.db by default), with every .wf under --programs deployed at start.
/// </summary>
internal static class ServeCommand
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static Command Create()
    {
        var db = new Option<string>("--db")
        {
            Description = "the workflow database: a SQLite file (created when missing), or a PostgreSQL connection string",
            DefaultValueFactory = _ => "workflow.db",
        };
        var urls = new Option<string>("--urls") { Description = $"where to listen, ';'-separated (default {DefaultUrl}); a non-loopback address needs an API key", DefaultValueFactory = _ => DefaultUrl };
        var programs = new Option<string?>("--programs") { Description = "deploy every .wf file under this folder at start (e.g. examples)" };
        var apiKey = new Option<string?>("--api-key") { Description = "the key REST clients must send in X-Api-Key (default: $WF_API_KEY; none: loopback only)" };
        var verbose = new Option<bool>("--verbose") { Description = "log every committed turn and every request" };
        var command = new Command("serve", "run the host: workers, timers, the REST API and the web dashboard") { db, urls, programs, apiKey, verbose };
        command.SetAction((parse, cancellation) => Run(
            parse.GetValue(db)!, parse.GetValue(urls)!, parse.GetValue(programs), parse.GetValue(apiKey) ?? NullIfEmpty(Environment.GetEnvironmentVariable("WF_API_KEY")),
            parse.GetValue(verbose), cancellation));
        return command;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static async Task<int> Run(string db, string urls, string? programs, string? apiKey, bool verbose, CancellationToken cancellation)
    {
        // Hand control back at once: the library installs its Ctrl+C/SIGTERM handling only when the
        // action first yields, and the host's start runs synchronously for a while.
        await Task.Yield();
        if (InstanceCommands.Database(db) is not { } database) return 2;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = Environment.CurrentDirectory });
        builder.WebHost.UseUrls(urls);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information)
            .AddFilter("Quartz", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore", verbose ? LogLevel.Information : LogLevel.Warning)
            .AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning)
            // "Hosting failed to start" with a stack trace: the command prints the reason itself.
            .AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None)
            .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning)
            // Authentication registers data protection, which warns about unencrypted keys the API never uses (it issues no cookies).
            .AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error)
            .AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss.fff "; });
        builder.Services.AddWorkflows(options =>
        {
            // A PostgreSQL connection string or a SQLite file, as every --db takes.
            if (database is WorkflowDatabase.Sqlite) options.DatabasePath = db;
            else options.PostgresConnectionString = db;
            options.ProgramsDirectory = programs;
            options.ApiKey = apiKey;
        });
        var app = builder.Build();
        app.MapWorkflowApi();
        var runtime = app.Services.GetRequiredService<WorkflowRuntime>();
        try
        {
            await app.StartAsync(cancellation);
        }
        catch (Exception e) when (!cancellation.IsCancellationRequested)
        {
            // Bad options, a program that does not compile, a database that cannot be opened or written,
            // a taken port: one line saying why (the host's own log line is filtered out above), and what
            // started is stopped. A worker that failed while the host started cancelled the start: its
            // failure is the reason, not the cancellation.
            var reason = runtime.WorkerFailure is { } failure ? $"the worker on {database.Description} stopped: {failure.Message}" : e.Message;
            Console.Error.WriteLine($"wf: the server did not start: {reason}");
            try
            {
                await app.StopAsync(CancellationToken.None);
            }
            catch (Exception stopError)
            {
                Console.Error.WriteLine($"wf: stopping after the failed start also failed: {stopError.Message}");
            }
            await app.DisposeAsync();
            return 1;
        }
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses) Console.Out.WriteLine($"wf: serving the dashboard on {address}/ and the API on {address}/api (database {database.Description})");
        Console.Out.Flush();
        try
        {
            await app.WaitForShutdownAsync(cancellation);
        }
        finally
        {
            await app.DisposeAsync();
        }
        // A worker that fails stops the host (the host's own log line is filtered out above): the exit says so.
        if (runtime.WorkerFailure is { } stopped)
        {
            Console.Error.WriteLine($"wf: the worker on {database.Description} stopped: {stopped.Message}");
            return 1;
        }
        return 0;
    }
}
