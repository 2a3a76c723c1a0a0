using System.Diagnostics;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;

namespace Workflow.Tests.Cli;

/// <summary>`wf serve` as a real process: it deploys the examples, prints where it serves, and answers the API there.</summary>
public class WfServeTests
{
    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory != null && !File.Exists(Path.Combine(directory.FullName, "Workflow.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("the tests do not run inside the repository");
    }

    private static Process Serve(string workingDirectory, params string[] args) => ServeWith(workingDirectory, null, args);

    private static Process ServeWith(string workingDirectory, Dictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        psi.ArgumentList.Add(WfCommandTests.Wf);
        psi.ArgumentList.Add("serve");
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("WF_API_KEY");
        foreach (var (key, value) in environment ?? []) psi.Environment[key] = value;
        return Process.Start(psi)!;
    }

    [Fact]
    public async Task Serve_deploys_the_examples_prints_its_address_and_runs_what_is_started_there()
    {
        var directory = Directory.CreateTempSubdirectory("wf-serve-").FullName;
        // HTTP_PORTS (set by the aspnet container images) would bind every interface, but given URLs win: no refusal.
        using var server = ServeWith(directory, new() { ["ASPNETCORE_HTTP_PORTS"] = "8080" },
            "--urls", "http://127.0.0.1:0", "--programs", Path.Combine(RepositoryRoot(), "examples"));
        var stderr = server.StandardError.ReadToEndAsync();
        try
        {
            string? address = null;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (address == null && DateTime.UtcNow < deadline)
            {
                var line = await server.StandardOutput.ReadLineAsync() ?? throw new Exception("wf serve ended: " + await stderr);
                var match = Regex.Match(line, @"serving the dashboard on (http://127\.0\.0\.1:\d+)/");
                if (match.Success) address = match.Groups[1].Value;
            }
            Assert.NotNull(address);
            Assert.True(File.Exists(Path.Combine(directory, "workflow.db")), "the default database file is workflow.db in the working directory");

            using var http = new HttpClient { BaseAddress = new Uri(address!) };
            var programs = JObject.Parse(await http.GetStringAsync("/api/programs"));
            var names = ((JArray)programs["programs"]!).Select(p => (string)p["name"]!).ToList();
            Assert.Contains("pipeline", names);

            var started = await http.PostAsync("/api/instances", new StringContent("""{"workflow": "pipeline", "input": {"orders": [3, 1, 4]}, "id": "p1"}"""));
            Assert.Equal(System.Net.HttpStatusCode.Created, started.StatusCode);
            JObject instance;
            do
            {
                await Task.Delay(50);
                instance = JObject.Parse(await http.GetStringAsync("/api/instances/p1"));
            } while ((string)instance["status"]! is "running" or "waiting" && DateTime.UtcNow < deadline);
            Assert.Equal("completed", (string?)instance["status"]);
            Assert.Equal(3, (int)instance["result"]!["orders"]!);
            Assert.Equal(20.0, (double)instance["result"]!["total"]!);

            var page = await http.GetStringAsync("/");
            Assert.Contains("<html", page, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            if (!server.HasExited) server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Serve_refuses_a_non_loopback_address_without_an_api_key()
    {
        var directory = Directory.CreateTempSubdirectory("wf-serve-").FullName;
        using var server = Serve(directory, "--urls", "http://0.0.0.0:0");
        var stdout = server.StandardOutput.ReadToEndAsync();
        var stderr = await server.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await server.WaitForExitAsync(timeout.Token);
        Assert.Equal(1, server.ExitCode);
        Assert.Contains("refusing to serve the workflow API on http://0.0.0.0:0 without an API key", stderr);
        Assert.DoesNotContain("serving the dashboard", await stdout);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Serve_on_a_database_it_cannot_open_says_why_in_one_line_and_exits_1()
    {
        var directory = Directory.CreateTempSubdirectory("wf-serve-").FullName;
        File.WriteAllText(Path.Combine(directory, "garbage.db"), new string('x', 4096));
        using var server = Serve(directory, "--urls", "http://127.0.0.1:0", "--db", "garbage.db");
        var stdout = server.StandardOutput.ReadToEndAsync();
        var stderr = await server.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await server.WaitForExitAsync(timeout.Token);
        Assert.Equal(1, server.ExitCode);
        Assert.Equal($"wf: the server did not start: the workflow database {Path.Combine(directory, "garbage.db")} cannot be opened: SQLite Error 26: 'file is not a database'.", stderr.Trim());
        Assert.DoesNotContain("serving the dashboard", await stdout);
        Directory.Delete(directory, recursive: true);
    }
}
