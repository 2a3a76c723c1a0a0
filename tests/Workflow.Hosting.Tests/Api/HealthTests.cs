using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;

namespace Workflow.Hosting.Tests.Api;

/// <summary>/healthz through a running host: it writes to find out whether the database takes writes, and looks for the SQLite file.</summary>
public sealed class HealthTests
{
    private static async Task<(HttpStatusCode Status, string Body)> Health(ApiHost host)
    {
        var response = await host.Get("/healthz");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_deleted_database_file_is_unhealthy_although_the_open_connections_still_write()
    {
        var log = new ListLoggerProvider();
        await using var host = await ApiHost.StartAsync(services: services => services.AddSingleton<ILoggerProvider>(log));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await Health(host));

        // The host's open connections write on to the deleted file, so the write probe may well succeed: the file's absence tells.
        File.Delete(host.DatabasePath);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), await Health(host));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), await Health(host));
        Assert.False(File.Exists(host.DatabasePath), "something made a new file where the deleted database was");
        Assert.Contains(log.Entries, e => e.Level >= LogLevel.Warning && e.Message.Contains($"the workflow database file {host.DatabasePath} is gone"));
    }

    [Fact]
    public async Task A_database_that_does_not_take_writes_is_unhealthy_until_it_does_again()
    {
        var log = new ListLoggerProvider();
        await using var host = await ApiHost.StartAsync(
            o => o.ConfigureSqliteStore = store => store.BusyTimeout = TimeSpan.FromSeconds(1),
            services: services => services.AddSingleton<ILoggerProvider>(log));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await Health(host));

        // Another connection holds the write lock past the store's busy timeout: reads answer, the probe's write cannot.
        using (var holder = new SqliteConnection($"Data Source={host.DatabasePath};Pooling=False"))
        {
            holder.Open();
            using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE";
                begin.ExecuteNonQuery();
            }
            Assert.Empty((JArray)(await ApiHost.Json(await host.Get("/api/programs"), HttpStatusCode.OK))["programs"]!);
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), await Health(host));
        }

        Assert.Equal((HttpStatusCode.OK, "Healthy"), await Health(host));
        Assert.Contains(log.Entries, e => e.Level >= LogLevel.Warning && e.Message.Contains("the workflow database does not take writes: SQLite Error 5"));
    }
}
