using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;

namespace Workflow.Hosting.Tests.Api;

/// <summary>
/// A real host for end-to-end tests: Kestrel on a free loopback port, AddWorkflows on a SQLite file in a
/// temporary directory, MapWorkflowApi, and an HttpClient pointed at it. Disposing stops it and deletes the files.
/// </summary>
internal sealed class ApiHost : IAsyncDisposable
{
    public readonly string Directory = System.IO.Directory.CreateTempSubdirectory("wf-api-").FullName;
    public WebApplication App { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string BaseAddress { get; private set; } = "";
    private bool _started;

    public string DatabasePath => Path.Combine(Directory, "workflow.db");

    public static async Task<ApiHost> StartAsync(Action<WorkflowOptions>? configure = null, Action<WorkflowBuilder>? build = null,
        Action<IServiceCollection>? services = null, string url = "http://127.0.0.1:0")
    {
        var host = new ApiHost();
        try
        {
            await host.Start(configure, build, services, url);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    private async Task Start(Action<WorkflowOptions>? configure, Action<WorkflowBuilder>? build, Action<IServiceCollection>? services, string url)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders().AddFilter("Quartz", LogLevel.Warning);
        var workflows = builder.Services.AddWorkflows(options =>
        {
            // Short polls and sweeps keep tests quick; nothing else differs from a production host.
            options.TimerSweep = TimeSpan.FromMilliseconds(200);
            options.Activities.BaseDelay = TimeSpan.FromMilliseconds(10);
            options.Activities.MaxDelay = TimeSpan.FromMilliseconds(50);
            configure?.Invoke(options);
        }).UseSqlite(DatabasePath);
        build?.Invoke(workflows);
        services?.Invoke(builder.Services);
        App = builder.Build();
        App.MapWorkflowApi();
        await App.StartAsync();
        _started = true;
        BaseAddress = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Http = new HttpClient { BaseAddress = new Uri(BaseAddress), Timeout = TimeSpan.FromSeconds(30) };
    }

    public Task<HttpResponseMessage> Post(string path, string body, string? apiKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (apiKey != null) request.Headers.Add("X-Api-Key", apiKey);
        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> Get(string path, string? apiKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (apiKey != null) request.Headers.Add("X-Api-Key", apiKey);
        return Http.SendAsync(request);
    }

    public async Task<JObject> Deploy(string name, string source)
    {
        var response = await Post("/api/programs", new JObject { ["name"] = name, ["source"] = source }.ToString());
        return await Json(response, System.Net.HttpStatusCode.Created);
    }

    public async Task<string> Start(string workflow, JToken? input = null, string? id = null)
    {
        var body = new JObject { ["workflow"] = workflow, ["input"] = input ?? JValue.CreateNull() };
        if (id != null) body["id"] = id;
        return (string)(await Json(await Post("/api/instances", body.ToString()), System.Net.HttpStatusCode.Created))["id"]!;
    }

    public async Task<JObject> Instance(string id) => await Json(await Get($"/api/instances/{id}"), System.Net.HttpStatusCode.OK);

    /// <summary>Polls the instance until [done] holds, or fails after [timeout] with the last state seen.</summary>
    public async Task<JObject> WaitFor(string id, Func<JObject, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var instance = await Instance(id);
            if (done(instance)) return instance;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"instance {id} did not get there: {instance}");
            await Task.Delay(50);
        }
    }

    public Task<JObject> WaitForStatus(string id, string status, TimeSpan? timeout = null) =>
        WaitFor(id, i => (string)i["status"]! == status, timeout);

    /// <summary>The body as JSON, after checking the status code (the body is in the failure message).</summary>
    public static async Task<JObject> Json(HttpResponseMessage response, System.Net.HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        // Dates stay the strings the API sent (Json.NET would turn them into DateTime and drop the milliseconds on the way back).
        using var reader = new Newtonsoft.Json.JsonTextReader(new StringReader(text)) { DateParseHandling = Newtonsoft.Json.DateParseHandling.None };
        return JObject.Load(reader);
    }

    /// <summary>Checks that [response] is a problem-details answer with [status] and [code], and returns it.</summary>
    public static async Task<JObject> Problem(HttpResponseMessage response, System.Net.HttpStatusCode status, string code)
    {
        var problem = await Json(response, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, (int)problem["status"]!);
        Assert.Equal(code, (string?)problem["code"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["title"]));
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]));
        return problem;
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (App != null)
        {
            if (_started) await App.StopAsync();
            await App.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { /* a file still open on a slow shutdown: the temp folder is cleaned by the OS */ }
    }
}
