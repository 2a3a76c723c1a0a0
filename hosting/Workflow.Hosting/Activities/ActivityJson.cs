using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Workflow.Boundary;

namespace Workflow.Hosting.Activities;

/// <summary>
/// JSON in and out of activities, held to the engine's strict JSON (StrictJson) both ways: arguments
/// and HTTP bodies are read with it (so date-like strings stay strings), and a handler's result is
/// checked with it before it is stored, so that the workflow can always read what it gets back.
/// </summary>
internal static class ActivityJson
{
    /// <summary>Parses [json]; empty or blank text is null. Throws InvalidJsonException, naming the line and position, when it is not one strict JSON value.</summary>
    public static JToken? Parse(string json) => string.IsNullOrWhiteSpace(json) ? null : StrictJson.Parse(json);

    /// <summary>The task's arguments: a JSON array (a stored task always has one; anything else is a bug upstream).</summary>
    public static JArray Arguments(string json) =>
        Parse(json) as JArray ?? throw new FormatException($"activity arguments must be a JSON array, not {Abbreviate(json)}");

    /// <summary>
    /// A result as stored JSON text: `null` for no result. InvalidJsonException when the token does
    /// not write strict JSON: NaN, Infinity, undefined, constructors and raw text (JRaw) that is not
    /// JSON, which a workflow could not read back.
    /// </summary>
    public static string Write(JToken? result)
    {
        if (result is null || result.Type is JTokenType.Null or JTokenType.Undefined) return "null";
        // NaN and the infinities as the symbols they are: Json.NET's default writes them as strings, quietly changing their type.
        var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        using (var writer = new JsonTextWriter(text) { Formatting = Formatting.None, FloatFormatHandling = FloatFormatHandling.Symbol })
            result.WriteTo(writer);
        var json = text.ToString();
        try
        {
            StrictJson.Parse(json);
        }
        catch (InvalidJsonException e)
        {
            throw e.Naming("activity's result");
        }
        return json;
    }

    private static string Abbreviate(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
