using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;
using Workflow.Migrations.Sqlite;

namespace Workflow.Hosting.Tests.Api;

/// <summary>
/// What REST clients get when the database fails under a running host: a 503 problem with a code to
/// switch on and a Retry-After, from real SQLite faults (a full file, a write lock held elsewhere),
/// while the error itself goes to the log.
/// </summary>
public sealed class StorageFaultTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wf-faults-").FullName;
    private readonly ListLoggerProvider _log = new();

    private string DatabasePath => Path.Combine(_folder, "workflow.db");

    /// <summary>An API-only host (no worker writing beside the requests) on this test's file, its store set up by [store].</summary>
    private Task<ApiHost> Host(Action<Workflow.Persistence.SqliteStoreOptions> store) => ApiHost.StartAsync(
        o =>
        {
            o.RunWorker = false;
            o.ConfigureSqliteStore = store;
        },
        build: workflows => workflows.UseSqlite(DatabasePath),
        services: services => services.AddSingleton<ILoggerProvider>(_log));

    [Fact]
    public async Task A_write_the_full_database_has_no_room_for_is_a_503_storage_full_with_a_retry_after_and_reads_go_on()
    {
        // Made first; then every connection of the store may not grow the file (SQLite raises the
        // limit of 1 page to the file's size as it is): a real SQLITE_FULL for a write that needs room.
        SqliteWorkflowDatabase.Open(DatabasePath).Dispose();
        await using var host = await Host(store => store.ExtraPragmas = "PRAGMA max_page_count = 1;");

        var source = "def main(input):\n    return 1\n# " + new string('x', 900_000) + "\n";
        var response = await host.Post("/api/programs", new JObject { ["name"] = "big", ["source"] = source }.ToString());
        var problem = await ApiHost.Problem(response, HttpStatusCode.ServiceUnavailable, "storage_full");
        Assert.Equal(TimeSpan.FromSeconds(60), response.Headers.RetryAfter?.Delta);
        Assert.Contains("retry after 60 seconds", (string?)problem["detail"]);
        Assert.False(string.IsNullOrEmpty((string?)problem["traceId"]));
        Assert.DoesNotContain(DatabasePath, problem.ToString());

        var programs = await ApiHost.Json(await host.Get("/api/programs"), HttpStatusCode.OK);
        Assert.Empty((JArray)programs["programs"]!);
        var logged = Assert.Single(_log.Entries, e => e.Category == "Workflow.Api" && e.Level == LogLevel.Error);
        Assert.Contains("POST /api/programs failed: the workflow database is full", logged.Message);
        Assert.Equal(13, Assert.IsType<SqliteException>(logged.Exception).SqliteErrorCode);
    }

    [Fact]
    public async Task A_write_lock_held_past_the_busy_timeout_is_a_503_storage_unavailable_and_the_retry_succeeds()
    {
        await using var host = await Host(store => store.BusyTimeout = TimeSpan.FromSeconds(1));
        await host.Deploy("p", "def main(input):\n    return input\n");

        // Another process's long write transaction, as a backup tool or a stuck worker would hold it.
        using (var holder = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            holder.Open();
            using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE";
                begin.ExecuteNonQuery();
            }
            var response = await host.Post("/api/instances", """{"workflow": "p", "input": 1, "id": "i1"}""");
            var problem = await ApiHost.Problem(response, HttpStatusCode.ServiceUnavailable, "storage_unavailable");
            Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
            Assert.Contains("retry after 5 seconds", (string?)problem["detail"]);
            // Reads do not wait for writers.
            Assert.Empty((JArray)(await ApiHost.Json(await host.Get("/api/instances"), HttpStatusCode.OK))["instances"]!);
        }

        Assert.Equal("i1", await host.Start("p", 1, id: "i1"));
        var logged = Assert.Single(_log.Entries, e => e.Category == "Workflow.Api" && e.Level == LogLevel.Error);
        Assert.Contains("POST /api/instances failed: the workflow database is unavailable", logged.Message);
        Assert.Equal(5, Assert.IsType<SqliteException>(logged.Exception).SqliteErrorCode);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
    }
}
