using Newtonsoft.Json.Linq;
using Workflow.Durable;

namespace Workflow.Hosting.Tests.Activities;

/// <summary>A handler's result is stored only when it is strict JSON, which the workflow can read back.</summary>
public sealed class ResultJsonTests : ActivityTest
{
    public static TheoryData<string, string> NotJson => new()
    {
        { "nan", "line 1, position 1: NaN is not a JSON number" },
        { "infinity in an array", "line 1, position 2: Infinity is not a JSON number" },
        { "undefined in an object", "line 1, position 6: undefined is not a JSON value" },
        { "raw text", "line 1, position 2: a name in single quotes" },
        { "a constructor", "line 1, position 1: new is not a JSON value" },
    };

    private static JToken Result(string kind) => kind switch
    {
        "nan" => new JValue(double.NaN),
        "infinity in an array" => new JArray(new JValue(double.PositiveInfinity)),
        "undefined in an object" => new JObject { ["a"] = JValue.CreateUndefined() },
        "raw text" => new JRaw("{'a': 1}"),
        _ => new JConstructor("Date", 1),
    };

    [Theory]
    [MemberData(nameof(NotJson))]
    public async Task A_result_that_does_not_write_strict_JSON_fails_the_activity_at_once_saying_where(string kind, string says)
    {
        var attempts = 0;
        Registry.Add("lenient", _ =>
        {
            attempts++;
            return Result(kind);
        });
        StartWithActivity("i1", "lenient", retries: 3);

        Assert.Equal(1, await Worker().RunOnceAsync());

        var entry = Assert.Single(Inbox("i1"));
        Assert.Equal(InboxKind.ActivityFailed, entry.Kind);
        Assert.StartsWith($"the activity's result is not JSON: {says}", entry.Payload);
        // Retrying would only write the same value again.
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task A_result_that_is_JSON_is_stored_as_written()
    {
        Registry.Add("strict", _ => new JObject { ["n"] = new JValue(System.Numerics.BigInteger.Pow(10, 30)), ["when"] = "2024-01-01T00:00:00Z" });
        StartWithActivity("i1", "strict");
        Assert.Equal(1, await Worker().RunOnceAsync());
        Assert.Equal("""{"n":1000000000000000000000000000000,"when":"2024-01-01T00:00:00Z"}""", Assert.Single(Inbox("i1")).Payload);
    }
}
