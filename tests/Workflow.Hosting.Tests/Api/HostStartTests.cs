using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Newtonsoft.Json.Linq;
using Workflow.Hosting.Api;
using Workflow.Hosting.Diagnostics;
using Workflow.Migrations.Sqlite;

namespace Workflow.Hosting.Tests.Api;

/// <summary>What happens when a host starts: options checked, loopback enforced without a key, programs deployed; and what it reports.</summary>
public sealed class HostStartTests
{
    [Fact]
    public async Task Invalid_options_stop_the_start_with_one_error_listing_every_problem()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ApiHost.StartAsync(o =>
        {
            o.Lease = TimeSpan.Zero;
            o.BatchSize = 0;
            o.ApiKey = "short";
            o.ProgramsDirectory = "/no/such/folder";
            o.Activities.Retries = -1;
        }));
        Assert.Equal(5, error.Failures.Count());
        foreach (var part in new[] { "Lease", "BatchSize", "ApiKey", "/no/such/folder", "Activities.Retries" }) Assert.Contains(part, error.Message);
    }

    [Fact]
    public async Task UsePostgres_with_text_that_is_no_postgres_connection_string_stops_the_start_instead_of_opening_a_file()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ApiHost.StartAsync(build: workflows => workflows.UsePostgres("orders.db")));
        Assert.Contains("PostgresConnectionString (UsePostgres) must be a PostgreSQL connection string", Assert.Single(error.Failures));
        Assert.False(File.Exists("orders.db"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_database_that_cannot_be_opened_stops_the_start_naming_the_file(bool runWorker)
    {
        // A path under a regular file: no process can make a database there, not even root.
        var folder = Directory.CreateTempSubdirectory("wf-db-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "plain"), "");
            var path = Path.Combine(folder, "plain", "workflow.db");
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                ApiHost.StartAsync(o => o.RunWorker = runWorker, build: workflows => workflows.UseSqlite(path)));
            Assert.StartsWith($"the workflow database {path} cannot be opened: SQLite Error 14", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_database_that_does_not_take_writes_stops_the_start_naming_the_file_even_on_an_api_only_host(bool runWorker)
    {
        var folder = Directory.CreateTempSubdirectory("wf-db-").FullName;
        try
        {
            // Made and migrated first, so that opening it writes nothing. query_only then refuses every
            // write as a read-only file does (SQLITE_READONLY), which root's capabilities cannot get round.
            var path = Path.Combine(folder, "workflow.db");
            SqliteWorkflowDatabase.Open(path).Dispose();
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ApiHost.StartAsync(
                o =>
                {
                    o.RunWorker = runWorker;
                    o.ConfigureSqliteStore = store => store.ExtraPragmas = "PRAGMA query_only = 1;";
                },
                build: workflows => workflows.UseSqlite(path)));
            Assert.StartsWith($"the workflow database {path} does not take writes: SQLite Error 8: 'attempt to write a readonly database'; this process must be able to write the file", error.Message);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://*:0")]
    [InlineData("http://+:0")]
    public async Task Without_an_api_key_a_non_loopback_address_is_refused(string url)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ApiHost.StartAsync(url: url));
        Assert.Contains("refusing to serve the workflow API", error.Message);
        Assert.Contains("ApiKey", error.Message);
    }

    [Fact]
    public async Task With_an_api_key_a_non_loopback_address_is_served()
    {
        await using var host = await ApiHost.StartAsync(o => o.ApiKey = "a-long-enough-test-key-1234", url: "http://0.0.0.0:0");
        Assert.StartsWith("http://0.0.0.0:", host.BaseAddress);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://127.1.2.3", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://[::]:5080", false)]
    [InlineData("http://*:5080", false)]
    [InlineData("https://example.com", false)]
    [InlineData("http://10.0.0.5:80", false)]
    public void Loopback_addresses_are_told_from_the_others(string url, bool loopback) =>
        Assert.Equal(loopback, LoopbackGuard.IsLoopback(url));

    [Fact]
    public async Task A_programs_folder_is_deployed_at_start_and_one_that_does_not_compile_stops_it()
    {
        var folder = Directory.CreateTempSubdirectory("wf-programs-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "billing"));
            Directory.CreateDirectory(Path.Combine(folder, "billing", "bin"));
            File.WriteAllText(Path.Combine(folder, "billing", "rates.wf"), "RATE = 3\n");
            File.WriteAllText(Path.Combine(folder, "billing", "bill.wf"), "import rates\n\ndef main(input):\n    return input * rates.RATE\n");
            File.WriteAllText(Path.Combine(folder, "billing", "bin", "bill.wf"), "this is a build copy and is skipped\n");
            await using (var host = await ApiHost.StartAsync(o => o.ProgramsDirectory = folder))
            {
                var id = await host.Start("bill", 14);
                Assert.Equal(42, (int)(await host.WaitForStatus(id, "completed"))["result"]!);
            }

            File.WriteAllText(Path.Combine(folder, "broken.wf"), "def main(input:\n    pass\n");
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ApiHost.StartAsync(o => o.ProgramsDirectory = folder));
            Assert.Contains("broken.wf:1:", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_programs_folder_with_a_file_name_that_is_no_workflow_name_stops_the_start_naming_it()
    {
        var folder = Directory.CreateTempSubdirectory("wf-programs-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "good.wf"), "def main(input):\n    return 1\n");
            File.WriteAllText(Path.Combine(folder, "month end.wf"), "def main(input):\n    return 2\n");
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ApiHost.StartAsync(o => o.ProgramsDirectory = folder));
            Assert.Contains("month end.wf: workflow name 'month end': character 6 is U+0020; a workflow name is made of ASCII letters", error.Message);
            Assert.Contains("were not deployed", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task AddWorkflows_called_twice_adds_the_second_configuration_only()
    {
        await using var host = await ApiHost.StartAsync(services: services => services.AddWorkflows(o => o.BatchSize = 7));
        await host.Deploy("p", "def main(input):\n    return input + 1\n");
        Assert.Equal(2, (int)(await host.WaitForStatus(await host.Start("p", 1), "completed"))["result"]!);
        Assert.Equal(7, host.App.Services.GetRequiredService<IOptions<WorkflowOptions>>().Value.BatchSize);
    }

    [Fact]
    public async Task Shutdown_waits_for_an_activity_that_ignores_cancellation_before_closing_the_database()
    {
        var log = new ListLoggerProvider();
        var started = new TaskCompletionSource();
        var host = await ApiHost.StartAsync(
            build: workflows => workflows.AddActivity("stubborn", async context =>
            {
                started.TrySetResult();
                await Task.Delay(1500, CancellationToken.None); // deliberately deaf to the token
                return (JToken)"done";
            }),
            services: services =>
            {
                services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(200));
                services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(log);
            });
        await host.Deploy("p", "def main(input):\n    return await activity('stubborn')\n");
        await host.Start("p");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var stopping = Stopwatch.StartNew();
        await host.DisposeAsync();
        Assert.True(stopping.Elapsed > TimeSpan.FromMilliseconds(1000), $"the database was closed after {stopping.Elapsed}, while the activity still ran");
        Assert.Contains(log.Entries, e => e.Message.Contains("waiting for the workflow worker to stop"));
        Assert.DoesNotContain(log.Entries, e => e.Exception is ObjectDisposedException);
    }

    [Fact]
    public async Task Turns_are_reported_as_metrics_and_spans_that_OpenTelemetry_can_collect()
    {
        var measurements = new List<(string Name, double Value, string? Workflow)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == WorkflowInstrumentation.Name) listener.EnableMeasurementEvents(instrument);
        };
        void Measured(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? workflow = null;
            foreach (var tag in tags) if (tag.Key == "workflow.name") workflow = tag.Value as string;
            lock (measurements) measurements.Add((instrument.Name, value, workflow));
        }
        meters.SetMeasurementEventCallback<long>((i, v, t, _) => Measured(i, v, t));
        meters.SetMeasurementEventCallback<double>((i, v, t, _) => Measured(i, v, t));
        meters.Start();
        var spans = new List<Activity>();
        using var tracing = new ActivityListener
        {
            ShouldListenTo = source => source.Name == WorkflowInstrumentation.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span => { lock (spans) spans.Add(span); },
        };
        ActivitySource.AddActivityListener(tracing);

        await using var host = await ApiHost.StartAsync();
        await host.Deploy("waits", "def main(input):\n    x = await signal('go')\n    if x == 'fail':\n        raise ValueError('asked to')\n    return x\n");
        var ok = await host.Start("waits", id: "ok");
        var bad = await host.Start("waits", id: "bad");
        await host.WaitForStatus(ok, "waiting");
        await host.WaitForStatus(bad, "waiting");
        await host.Post($"/api/instances/{ok}/signals/go", "\"done\"");
        await host.Post($"/api/instances/{bad}/signals/go", "\"fail\"");
        await host.WaitForStatus(ok, "completed");
        await host.WaitForStatus(bad, "failed");
        meters.RecordObservableInstruments();

        List<(string Name, double Value, string? Workflow)> seen;
        lock (measurements) seen = measurements.Where(m => m.Workflow == "waits").ToList();
        Assert.Equal(2, seen.Count(m => m.Name == "workflow.instances.started"));
        Assert.Equal(1, seen.Count(m => m.Name == "workflow.instances.completed"));
        Assert.Equal(1, seen.Count(m => m.Name == "workflow.instances.failed"));
        Assert.Equal(4, seen.Count(m => m.Name == "workflow.turn.duration"));
        Assert.All(seen.Where(m => m.Name == "workflow.turn.duration"), m => Assert.InRange(m.Value, 0, 30));
        Assert.Equal(2, seen.Count(m => m.Name == "workflow.pickle.size"));
        Assert.All(seen.Where(m => m.Name == "workflow.pickle.size"), m => Assert.InRange(m.Value, 50, 10_000));

        List<Activity> turns;
        lock (spans) turns = spans.Where(s => s.OperationName == "workflow.turn" && (string?)s.GetTagItem("workflow.name") == "waits").ToList();
        Assert.Equal(4, turns.Count);
        var failed = Assert.Single(turns, s => s.Status == ActivityStatusCode.Error);
        Assert.Equal("bad", failed.GetTagItem("workflow.instance_id"));
        Assert.Contains("ValueError", failed.StatusDescription);
    }
}
