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

    [Fact]
    public async Task A_parent_lists_its_children_programs_show_numbered_source_times_carry_their_zone_and_finished_forms_are_off()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (.ci/run does)");
        await using var host = await ApiHost.StartAsync();
        const string leaf = """
            def main(input):
                index, payload = await first(signal("go"), sleep(days(1)))
                return {"item": input, "payload": payload}
            """;
        var firstLeaf = (string)(await host.Deploy("leaf", "def main(input):\n    return input\n"))["version"]!;
        await host.Deploy("leaf", leaf);
        await host.Deploy("fan", """
            def main(input):
                futures = [child("leaf", n) for n in range(2)]
                return await gather(*futures)
            """);
        var parent = await host.Start("fan", JObject.Parse("""{"created_at": 1767225600, "count": 1767225600}"""), id: "fan-1");
        string[] children;
        do
        {
            await Task.Delay(50);
            var listed = await ApiHost.Json(await host.Get($"/api/instances?parent={parent}"), System.Net.HttpStatusCode.OK);
            children = ((JArray)listed["instances"]!).Select(c => (string)c["id"]!).ToArray(); // newest first
        } while (children.Length < 2);
        foreach (var child in children) await host.WaitForStatus(child, "waiting");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Launch(playwright);
        // A zone with a half-hour offset and no summer time: what the page shows is known exactly.
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { TimezoneId = "Asia/Kolkata" });
        var consoleErrors = WatchConsole(page);
        page.SetDefaultTimeout(15_000);

        // The parent's page lists its children; its input shows the epoch-second time as a date, and
        // leaves alone a number that is not named as a time.
        await page.GotoAsync(host.BaseAddress + "/#/instances/" + parent);
        await Assertions.Expect(page.Locator("#children tr.child-row")).ToHaveCountAsync(2);
        Assert.Equal(children, await page.Locator("#children tr.child-row").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.instanceId)"));
        await Assertions.Expect(page.Locator("#instance-input .epoch-date")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#instance-input")).ToContainTextAsync("\"created_at\": 1767225600 (2026-01-01 05:30:00 UTC+05:30)");
        await Assertions.Expect(page.Locator("#instance-meta")).ToContainTextAsync("UTC+05:30");

        // A child: the signal name is filled in from what its frame awaits (a first() of a signal and a timer).
        await page.Locator($"#children tr.child-row[data-instance-id='{children[0]}'] a").ClickAsync();
        await Assertions.Expect(page.Locator("#instance-status")).ToHaveTextAsync("waiting");
        await Assertions.Expect(page.Locator("#signal-name")).ToHaveValueAsync("go");
        await Assertions.Expect(page.Locator("#send-signal")).ToBeEnabledAsync();
        await page.FillAsync("#signal-payload", "7");
        await page.ClickAsync("#send-signal");
        await Assertions.Expect(page.Locator("#instance-status")).ToHaveTextAsync("completed");
        // Finished: no signal, no cancel.
        await Assertions.Expect(page.Locator("#send-signal")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#signal-name")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#cancel-instance")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#finished-note")).ToBeVisibleAsync();

        var sent = await host.Post($"/api/instances/{children[1]}/signals/go", "8");
        Assert.Equal(System.Net.HttpStatusCode.Accepted, sent.StatusCode);
        await host.WaitForStatus(parent, "completed");
        await page.GotoAsync(host.BaseAddress + "/#/instances/" + parent);
        await Assertions.Expect(page.Locator("#instance-status")).ToHaveTextAsync("completed");
        await Assertions.Expect(page.Locator("#children tr.child-row[data-status=completed]")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#send-signal")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#cancel-instance")).ToBeDisabledAsync();

        // The programs page: every workflow, then one's deployments newest first and its source, numbered.
        await page.ClickAsync("#nav-programs");
        await Assertions.Expect(page.Locator("tr.program-row")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("tr.program-row[data-name=fan] td").Nth(2)).ToContainTextAsync("UTC+05:30");
        await page.Locator("tr.program-row[data-name=leaf] a.program-link").ClickAsync();
        var deployments = page.Locator("#program-deployments tr.deployment-row");
        await Assertions.Expect(deployments).ToHaveCountAsync(2);
        await Assertions.Expect(deployments.Nth(0)).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("shown-version"));
        await Assertions.Expect(deployments.Nth(0)).ToContainTextAsync("current");
        var lines = page.Locator("#program-source tr.source-line");
        await Assertions.Expect(lines).ToHaveCountAsync(3);
        await Assertions.Expect(lines.Nth(1).Locator("td.line-number")).ToHaveTextAsync("2");
        await Assertions.Expect(lines.Nth(1).Locator("td.code")).ToHaveTextAsync("    index, payload = await first(signal(\"go\"), sleep(days(1)))");
        // An older version's source.
        await deployments.Nth(1).Locator("a").ClickAsync();
        await Assertions.Expect(page.Locator("#source-version")).ToHaveTextAsync(firstLeaf);
        await Assertions.Expect(lines).ToHaveCountAsync(2);
        await Assertions.Expect(lines.Nth(1).Locator("td.code")).ToHaveTextAsync("    return input");

        Assert.Empty(consoleErrors);
    }

    [Fact]
    public async Task A_frame_links_to_its_line_in_the_source_of_the_instances_version()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (.ci/run does)");
        await using var host = await ApiHost.StartAsync();
        await host.Deploy("waiter", "def wait_here():\n    return await signal(\"poke\")\n\ndef main(input):\n    return wait_here()\n");
        var id = await host.Start("waiter", null);
        await host.WaitForStatus(id, "waiting");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Launch(playwright);
        var page = await browser.NewPageAsync();
        var consoleErrors = WatchConsole(page);
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync(host.BaseAddress + "/#/instances/" + id);
        await page.Locator("#frames div.frame[data-function=wait_here] .where a").ClickAsync();
        var marked = page.Locator("#program-source tr.source-line.highlight");
        await Assertions.Expect(marked).ToHaveCountAsync(1);
        Assert.Equal("2", await marked.GetAttributeAsync("data-line"));
        await Assertions.Expect(page.Locator("#program-name")).ToHaveTextAsync("waiter");
        Assert.Empty(consoleErrors);
    }

    [Fact]
    public async Task A_user_reads_a_completed_instances_timeline_opens_an_earlier_turns_stack_rewinds_to_it_and_sees_it_complete_again()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (.ci/run does)");
        await using var host = await ApiHost.StartAsync();
        await host.Deploy("steps", """
            def main(input):
                first = await signal("step")
                print("got", first)
                seen = await activity("echo", first)
                second = await signal("step")
                return [first, seen, second]
            """);
        var id = await host.Start("steps", JObject.Parse("""{"due": 1767225600}"""), id: "steps-1");
        await host.WaitForStatus(id, "waiting");
        await host.Post($"/api/instances/{id}/signals/step", "1");
        // The second step once the activity's result was taken, so that each arrives in a turn of its own.
        await host.WaitFor(id, i => (int)i["turns"]! == 3 && (string)i["status"]! == "waiting");
        await host.Post($"/api/instances/{id}/signals/step", "2");
        await host.WaitForStatus(id, "completed");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Launch(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { TimezoneId = "UTC" });
        var consoleErrors = WatchConsole(page);
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync(host.BaseAddress + "/#/instances/" + id);
        await Assertions.Expect(page.Locator("#instance-status")).ToHaveTextAsync("completed");

        // One row per turn: the start; the first step, which printed and started the activity; its
        // result; the second step and the end.
        var turns = page.Locator("#timeline tr.turn-row");
        await Assertions.Expect(turns).ToHaveCountAsync(4);
        Assert.Equal(["1", "2", "3", "4"], await turns.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.turn)"));
        await Assertions.Expect(turns.Nth(0).Locator("td.arrived")).ToContainTextAsync("start {\"due\":1767225600 (2026-01-01 00:00:00 UTC)}");
        await Assertions.Expect(turns.Nth(0).Locator("td.ended")).ToContainTextAsync("waits for signal step");
        await Assertions.Expect(turns.Nth(1).Locator("td.arrived")).ToContainTextAsync("signal step 1");
        await Assertions.Expect(turns.Nth(1).Locator("td.printed")).ToHaveTextAsync("got 1\n");
        await Assertions.Expect(turns.Nth(1).Locator("td.started")).ToContainTextAsync("activity #2 echo(1)");
        await Assertions.Expect(turns.Nth(2).Locator("td.arrived")).ToContainTextAsync("activity #2 echo → 1");
        await Assertions.Expect(turns.Nth(3).Locator("td.arrived")).ToContainTextAsync("signal step 2");
        await Assertions.Expect(turns.Nth(3).Locator("td.ended")).ToContainTextAsync("completed");
        await Assertions.Expect(turns.Nth(3).Locator("td.ended")).ToContainTextAsync("→ [1,1,2]");
        await Assertions.Expect(turns.Nth(3).Locator("td").Nth(6)).ToContainTextAsync(" ms");

        // An earlier turn's stack: after turn 2, main waits for the activity, with first = 1.
        await turns.Nth(1).ClickAsync();
        await Assertions.Expect(turns.Nth(1)).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("selected"));
        await Assertions.Expect(page.Locator("#turn-stack-turn")).ToHaveTextAsync("2");
        await Assertions.Expect(page.Locator("#turn-stack div.frame[data-function=main] tr.variable[data-name=first] td.value")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#turn-stack div.tasklet .head")).ToContainTextAsync("waiting for activity 'echo'");
        // The last turn's: none, the instance finished in it.
        await turns.Nth(3).ClickAsync();
        await Assertions.Expect(page.Locator("#turn-stack-turn")).ToHaveTextAsync("4");
        await Assertions.Expect(page.Locator("#turn-stack")).ToHaveTextAsync("none: the instance finished in this turn");
        await Assertions.Expect(page.Locator("#rewind-instance")).ToBeDisabledAsync(); // no pickle to go back to

        // Rewind to turn 3 (waiting for the second step), its later signal delivered again: it completes again.
        await turns.Nth(2).ClickAsync();
        await Assertions.Expect(page.Locator("#selected-turn")).ToHaveTextAsync("3");
        await Assertions.Expect(page.Locator("#rewind-signals")).ToBeCheckedAsync();
        await page.ClickAsync("#rewind-instance");
        await Assertions.Expect(page.Locator("#rewind-instance")).ToHaveTextAsync("Really rewind to turn 3?");
        Assert.Equal(4, (int)(await host.Instance(id))["turns"]!); // the first click only asks
        await page.ClickAsync("#rewind-instance");
        await Assertions.Expect(page.Locator("#action-notice")).ToHaveTextAsync("Rewound to turn 3.");
        await Assertions.Expect(page.Locator("#timeline tr.turn-row[data-kind=rewind]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#timeline tr.turn-row[data-kind=rewind] td.ended")).ToContainTextAsync("rewind to turn 3");
        await Assertions.Expect(page.Locator("#timeline tr.turn-row[data-kind=rewind] td.ended")).ToContainTextAsync("queued again: signal step 2");
        await Assertions.Expect(page.Locator("#timeline tr.turn-row").Last).ToHaveAttributeAsync("data-status", "completed");
        await Assertions.Expect(page.Locator("#instance-status")).ToHaveTextAsync("completed");
        await Assertions.Expect(page.Locator("#timeline tr.turn-row").Last.Locator("td.arrived")).ToContainTextAsync("signal step 2");
        Assert.Equal(JArray.Parse("[1, 1, 2]"), (await host.Instance(id))["result"]);
        Assert.Empty(consoleErrors);
    }

    [Fact]
    public async Task A_user_forks_an_instance_from_a_turn_is_refused_a_taken_id_and_terminates_the_fork()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (.ci/run does)");
        await using var host = await ApiHost.StartAsync();
        await host.Deploy("gate", """
            def main(input):
                try:
                    first = await signal("open")
                    second = await signal("open")
                    return [first, second]
                finally:
                    print("finally ran")
            """);
        var id = await host.Start("gate", null, id: "gate-3");
        await host.WaitForStatus(id, "waiting");
        await host.Post($"/api/instances/{id}/signals/open", "1");
        await host.WaitFor(id, i => (int)i["turns"]! == 2);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Launch(playwright);
        var page = await browser.NewPageAsync();
        var consoleErrors = WatchConsole(page);
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync(host.BaseAddress + "/#/instances/" + id);
        var turns = page.Locator("#timeline tr.turn-row");
        await Assertions.Expect(turns).ToHaveCountAsync(2);

        // A fork from turn 1 (waiting for the first signal): a new instance, and the page moves to it.
        await turns.Nth(0).ClickAsync();
        await page.FillAsync("#fork-id", "gate-3-again");
        await page.ClickAsync("#fork-instance");
        await Assertions.Expect(page.Locator("#fork-instance")).ToHaveTextAsync("Really fork from turn 1?");
        await page.ClickAsync("#fork-instance");
        await Assertions.Expect(page.Locator("#instance-id")).ToHaveTextAsync("gate-3-again");
        await Assertions.Expect(page.Locator("#instance-status")).ToHaveTextAsync("waiting");
        await Assertions.Expect(page.Locator("#signal-name")).ToHaveValueAsync("open");
        await Assertions.Expect(page.Locator("#timeline tr.turn-row[data-kind=fork] td.ended")).ToContainTextAsync($"fork from {id} at turn 1");
        Assert.Equal("waiting", (string?)(await host.Instance(id))["status"]);

        // The same id again: refused, the problem shown, nothing made.
        await page.GotoAsync(host.BaseAddress + "/#/instances/" + id);
        await turns.Nth(0).ClickAsync();
        await page.FillAsync("#fork-id", "gate-3-again");
        await page.ClickAsync("#fork-instance");
        await page.ClickAsync("#fork-instance");
        await Assertions.Expect(page.Locator("#error-text")).ToContainTextAsync("The id is taken");
        await Assertions.Expect(page.Locator("#instance-id")).ToHaveTextAsync(id);

        // Terminate the fork, with a reason: it ends at once, its finally never runs, its forms are off.
        await page.GotoAsync(host.BaseAddress + "/#/instances/gate-3-again");
        await Assertions.Expect(page.Locator("#instance-status")).ToHaveTextAsync("waiting");
        await page.FillAsync("#terminate-reason", "opened by mistake");
        await page.ClickAsync("#terminate-instance");
        await Assertions.Expect(page.Locator("#terminate-instance")).ToHaveTextAsync("Really terminate? (no finally runs)");
        await page.ClickAsync("#terminate-instance");
        await Assertions.Expect(page.Locator("#instance-status")).ToHaveTextAsync("terminated");
        await Assertions.Expect(page.Locator("#terminate-instance")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#send-signal")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#cancel-instance")).ToBeDisabledAsync();
        var terminated = page.Locator("#timeline tr.turn-row[data-kind=terminate]");
        await Assertions.Expect(terminated).ToHaveCountAsync(1);
        await Assertions.Expect(terminated.Locator("td.ended")).ToContainTextAsync("opened by mistake");
        await Assertions.Expect(page.Locator("#timeline td.printed")).Not.ToContainTextAsync(["finally ran"]);
        Assert.Equal("terminated", (string?)(await host.Instance("gate-3-again"))["status"]);
        Assert.Equal("waiting", (string?)(await host.Instance(id))["status"]);
        Assert.DoesNotContain(consoleErrors, e => !e.Contains("409"));
    }

    [Fact]
    public async Task A_user_pauses_an_instance_a_signal_waits_and_after_resume_it_completes()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (.ci/run does)");
        await using var host = await ApiHost.StartAsync();
        await host.Deploy("gate", "def main(input):\n    return await signal(\"open\")\n");
        var id = await host.Start("gate", null, id: "gate-1");
        await host.WaitForStatus(id, "waiting");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Launch(playwright);
        var page = await browser.NewPageAsync();
        var consoleErrors = WatchConsole(page);
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync(host.BaseAddress + "/#/instances/" + id);
        await Assertions.Expect(page.Locator("#instance-status")).ToHaveTextAsync("waiting");
        await Assertions.Expect(page.Locator("#resume-instance")).ToBeDisabledAsync();

        // Pause asks first (two clicks).
        await page.ClickAsync("#pause-instance");
        await Assertions.Expect(page.Locator("#pause-instance")).ToHaveTextAsync("Really pause?");
        Assert.Equal("waiting", (string?)(await host.Instance(id))["status"]);
        await page.ClickAsync("#pause-instance");
        await Assertions.Expect(page.Locator("#instance-status")).ToHaveTextAsync("paused");
        await Assertions.Expect(page.Locator("#pause-instance")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#resume-instance")).ToBeEnabledAsync();

        // A signal while paused is taken, and waits.
        await Assertions.Expect(page.Locator("#signal-name")).ToHaveValueAsync("open");
        await page.FillAsync("#signal-payload", "\"now\"");
        await page.ClickAsync("#send-signal");
        await Assertions.Expect(page.Locator("#action-notice")).ToContainTextAsync("sent");
        await Task.Delay(500);
        Assert.Equal("paused", (string?)(await host.Instance(id))["status"]);

        await page.ClickAsync("#resume-instance");
        await page.ClickAsync("#resume-instance");
        await Assertions.Expect(page.Locator("#instance-status")).ToHaveTextAsync("completed");
        await Assertions.Expect(page.Locator("#instance-result")).ToHaveTextAsync("\"now\"");
        await Assertions.Expect(page.Locator("#pause-instance")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#resume-instance")).ToBeDisabledAsync();
        // The signal that waited arrived in the last turn.
        await Assertions.Expect(page.Locator("#timeline tr.turn-row").Last.Locator("td.arrived")).ToContainTextAsync("signal open \"now\"");
        Assert.Empty(consoleErrors);
    }

    [Fact]
    public async Task A_refused_act_shows_the_problem_and_changes_nothing()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (.ci/run does)");
        await using var host = await ApiHost.StartAsync();
        await host.Deploy("gate", "def main(input):\n    return await signal(\"open\")\n");
        var id = await host.Start("gate", null, id: "gate-2");
        await host.WaitForStatus(id, "waiting");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Launch(playwright);
        var page = await browser.NewPageAsync();
        var consoleErrors = WatchConsole(page);
        page.SetDefaultTimeout(15_000);
        // The page's clock stands still: no refresh sees the instance finish, and the armed button
        // stays armed, so the click below reaches the server with a stale page.
        await page.Clock.InstallAsync();
        await page.GotoAsync(host.BaseAddress + "/#/instances/" + id);
        await Assertions.Expect(page.Locator("#pause-instance")).ToBeEnabledAsync();
        await page.ClickAsync("#pause-instance"); // armed; meanwhile the instance finishes
        await host.Post($"/api/instances/{id}/signals/open", "1");
        await host.WaitForStatus(id, "completed");
        await Assertions.Expect(page.Locator("#pause-instance")).ToHaveTextAsync("Really pause?");
        await page.ClickAsync("#pause-instance");
        await Assertions.Expect(page.Locator("#error-text")).ToHaveTextAsync("The instance has finished: instance 'gate-2' is completed; nothing was sent (start a new instance instead)");
        await Assertions.Expect(page.Locator("#instance-status")).ToHaveTextAsync("completed");
        await Assertions.Expect(page.Locator("#pause-instance")).ToBeDisabledAsync();
        Assert.Equal("completed", (string?)(await host.Instance(id))["status"]);
        Assert.DoesNotContain(consoleErrors, e => !e.Contains("409"));
    }

    private static Task<IBrowser> Launch(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = Chromium,
        Headless = true,
        Args = ["--no-sandbox"], // CI runs as root, where chromium's sandbox cannot start
    });

    /// <summary>Collects the page's script errors and console errors (but a failed request's, which the page reports itself).</summary>
    private static List<string> WatchConsole(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource")) errors.Add(message.Text); };
        page.PageError += (_, error) => errors.Add(error);
        return errors;
    }
}
