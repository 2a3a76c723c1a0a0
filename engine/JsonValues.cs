using System.Numerics;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Workflow.Builtins;
using Workflow.Runtime;
using Workflow.Values;

namespace Workflow;

/// <summary>
/// Converts JSON data crossing the boundary (start input, result) to and from script values.
/// Output goes through the script json module so it is exactly what json.dumps prints.
/// </summary>
internal static class JsonValues
{
    /// <summary>Parses [json] into script values; FormatException with line and position when it is not JSON.</summary>
    public static object Parse(string json)
    {
        try
        {
            using var reader = new JsonTextReader(new StringReader(json))
            {
                DateParseHandling = DateParseHandling.None,
                FloatParseHandling = FloatParseHandling.Double,
            };
            var token = JToken.ReadFrom(reader);
            if (reader.Read()) throw new JsonReaderException($"unexpected content after the JSON value, at line {reader.LineNumber}, position {reader.LinePosition}");
            return ToScript(token);
        }
        catch (JsonReaderException e)
        {
            throw new FormatException($"input is not valid JSON: {e.Message}", e);
        }
    }

    private static object ToScript(JToken token) => token.Type switch
    {
        JTokenType.Null or JTokenType.Undefined => PyNone.Value,
        JTokenType.Boolean => Boxes.Bool((bool)token),
        JTokenType.Integer => ((JValue)token).Value is BigInteger big ? Values.Numbers.IntOps.Normalize(big) : Boxes.Int((long)token),
        JTokenType.Float => (double)token,
        JTokenType.String => (string)token!,
        JTokenType.Array => new PyList(token.Select(ToScript).ToList()),
        JTokenType.Object => ToDict((JObject)token),
        _ => throw new FormatException($"unsupported JSON token {token.Type} at {token.Path}"),
    };

    private static PyDict ToDict(JObject obj)
    {
        var dict = new PyDict();
        foreach (var property in obj.Properties()) dict.Set(property.Name, ToScript(property.Value));
        return dict;
    }

    /// <summary>json.dumps(value) with default settings.</summary>
    public static string Dumps(object value)
    {
        var dumps = (BuiltinFunction)BuiltinFunctions.Modules["json"].Globals["dumps"];
        return (string)dumps.Body(new[] { value }, null);
    }
}
