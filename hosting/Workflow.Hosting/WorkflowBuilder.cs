using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using Workflow.Hosting.Activities;

namespace Workflow.Hosting;

/// <summary>What <c>services.AddWorkflows()</c> returns: chooses the database, the programs and the host's own activities.</summary>
public sealed class WorkflowBuilder
{
    internal WorkflowBuilder(IServiceCollection services) => Services = services;

    public IServiceCollection Services { get; }

    /// <summary>Keeps the workflow database in the SQLite file [path] (created and migrated at start).</summary>
    public WorkflowBuilder UseSqlite(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Services.Configure<WorkflowOptions>(options =>
        {
            options.DatabasePath = path;
            options.PostgresConnectionString = null;
        });
        return this;
    }

    /// <summary>Keeps the workflow database in PostgreSQL (migrated at start; the database must exist). Several hosts may share it.</summary>
    public WorkflowBuilder UsePostgres(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        Services.Configure<WorkflowOptions>(options =>
        {
            options.PostgresConnectionString = connectionString;
            options.DatabasePath = null;
        });
        return this;
    }

    /// <summary>Deploys every <c>.wf</c> file under [directory] at start (see <see cref="WorkflowOptions.ProgramsDirectory"/>).</summary>
    public WorkflowBuilder AddPrograms(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Services.Configure<WorkflowOptions>(options => options.ProgramsDirectory = directory);
        return this;
    }

    /// <summary>
    /// Registers an activity scripts call as <c>activity("[name]", …)</c>. The handler runs at least
    /// once per call, under the retry and timeout pipeline; make its effect idempotent with
    /// <see cref="ActivityContext.IdempotencyKey"/>. A name taken by a built-in replaces it.
    /// </summary>
    public WorkflowBuilder AddActivity(string name, ActivityHandler handler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(handler);
        Services.AddSingleton(new ActivityRegistration(name, handler));
        return this;
    }

    /// <summary>Registers a synchronous activity (see the asynchronous overload).</summary>
    public WorkflowBuilder AddActivity(string name, Func<ActivityContext, JToken?> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddActivity(name, context => Task.FromResult(handler(context)));
    }
}

/// <summary>An activity a host registered through the builder; the registry is filled with them when it is made.</summary>
internal sealed record ActivityRegistration(string Name, ActivityHandler Handler);
