using Microsoft.Playwright;
using Newtonsoft.Json.Linq;

namespace Workflow.Hosting.Tests.Api;

/// <summary>
/// The dashboard in a real browser: headless Debian chromium driven by Playwright, against a real
/// host on loopback. A user finds a waiting instance, opens its frame chain, signals it and sees it complete.
/// </summary>
public sealed class DashboardBrowserTests
{
    /// <summary>Debian's browser; .ci/run installs it (apt-get install chromium). Playwright's own downloads are never used.</summary>
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task A_user_finds_a_waiting_instance_reads_its_frames_signals_it_and_sees_it_complete()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (.ci/run does)");
        await using var host = await ApiHost.StartAsync();
        await host.Deploy("approval", """
            def ask(approver, amount):
                note = f"please approve {amount}"
                decision = await signal("decision")
                print(approver, note)
                return decision

            def main(input):
                total = sum(input["items"])
                decision = ask(input["approver"], total)
                return {"total": total, "approved": decision["approved"]}
            """);
        await host.Deploy("quick", "def main(input):\n    return input\n");
        await host.Start("quick", 1, id: "done-already");
        var id = await host.Start("approval", JObject.Parse("""{"items": [120, 80], "approver": "bob"}"""), id: "expense-42");
        await host.WaitForStatus(id, "waiting");
        await host.WaitForStatus("done-already", "completed");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox"], // CI runs as root, where chromium's sandbox cannot start
        });
        var page = await browser.NewPageAsync();
        var consoleErrors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource")) consoleErrors.Add(message.Text); };
        page.PageError += (_, error) => consoleErrors.Add(error);
        page.SetDefaultTimeout(15_000);

        await page.GotoAsync(host.BaseAddress + "/");
        await page.SelectOptionAsync("#status-filter", "waiting");
        var row = page.Locator("tr.instance-row[data-status=waiting]");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        Assert.Equal(id, await row.GetAttributeAsync("data-instance-id"));

        await row.Locator("a.instance-link").ClickAsync();
        await Assertions.Expect(page.Locator("#instance-status")).ToHaveTextAsync("waiting");
        // The frame chain, read from the pickle: main, then ask, each with its live variables.
        var ask = page.Locator("#frames div.frame[data-function=ask]");
        await Assertions.Expect(ask).ToHaveCountAsync(1);
        await Assertions.Expect(ask.Locator("tr.variable[data-name=note] td.value")).ToContainTextAsync("please approve 200");
        await Assertions.Expect(page.Locator("#frames div.frame[data-function=main] tr.variable[data-name=total] td.value")).ToHaveTextAsync("200");

        await page.FillAsync("#signal-name", "decision");
        await page.FillAsync("#signal-payload", """{"approved": true}""");
        await page.ClickAsync("#send-signal");
        await Assertions.Expect(page.Locator("#instance-status")).ToHaveTextAsync("completed");
        await Assertions.Expect(page.Locator("#instance-result")).ToContainTextAsync("\"approved\": true");

        Assert.Equal("completed", (string?)(await host.Instance(id))["status"]);
        Assert.Empty(consoleErrors);
    }
}
