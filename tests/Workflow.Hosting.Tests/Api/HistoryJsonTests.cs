using Newtonsoft.Json.Linq;
using Workflow.Durable;
using Workflow.Hosting.Api;

namespace Workflow.Hosting.Tests.Api;

/// <summary>A journal entry as the API shows it: its columns, then its document's fields, copied as they are stored.</summary>
public sealed class HistoryJsonTests
{
    [Fact]
    public void The_document_s_fields_follow_the_columns_verbatim_whatever_their_numbers_nesting_and_strings_hold()
    {
        var deep = new string('[', 300) + "1e400" + new string(']', 300);
        var document = $$"""{"consumed":[{"kind":"signal","name":"s","payload":{{deep}}}],"output":"a \"quoted\" }, and [brackets]\n","dueAt":"2026-01-01T00:00:00.000Z"}""";
        var row = new JournalRow(3, "turn", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), "w1", 1500, InstanceStatus.Waiting, document, 10, true);

        var text = HistoryJson.Turn(row).ToString(Newtonsoft.Json.Formatting.None);

        Assert.StartsWith("""{"turn":3,"kind":"turn","at":"2026-01-01T00:00:00.000Z","worker":"w1","durationMs":1.5,"status":"waiting","pickleBytes":10,"hasPickle":true,""", text);
        Assert.Contains($$"""
            "consumed":[{"kind":"signal","name":"s","payload":{{deep}}}]
            """.Trim(), text);
        Assert.EndsWith(""","output":"a \"quoted\" }, and [brackets]\n","dueAt":"2026-01-01T00:00:00.000Z"}""", text);
    }
}
