using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Workflow.Hosting.Activities;

/// <summary>JSON in and out of activities: arguments and HTTP bodies are read without turning date-like strings into dates.</summary>
internal static class ActivityJson
{
    /// <summary>Parses [json]; empty or blank text is null. Throws JsonReaderException when it is not one JSON value.</summary>
    public static JToken? Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        using var reader = new JsonTextReader(new StringReader(json))
        {
            DateParseHandling = DateParseHandling.None,
            FloatParseHandling = FloatParseHandling.Double,
        };
        var token = JToken.ReadFrom(reader);
        if (reader.Read()) throw new JsonReaderException($"unexpected content after the JSON value, at line {reader.LineNumber}, position {reader.LinePosition}");
        return token;
    }

    /// <summary>The task's arguments: a JSON array (a stored task always has one; anything else is a bug upstream).</summary>
    public static JArray Arguments(string json) =>
        Parse(json) as JArray ?? throw new FormatException($"activity arguments must be a JSON array, not {Abbreviate(json)}");

    /// <summary>A result as stored JSON text: `null` for no result.</summary>
    public static string Write(JToken? result) =>
        result is null || result.Type is JTokenType.Null or JTokenType.Undefined ? "null" : result.ToString(Formatting.None);

    private static string Abbreviate(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
