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

    /// <summary>
    /// json.dumps of a value that leaves the instance (activity arguments, a child's input): it must
    /// be JSON data, or the call that tried to send it raises TypeError naming [what] and the path.
    /// </summary>
    public static string DumpsData(object value, string what)
    {
        // Iterative, so a deeply nested value is checked without recursion; depth also stops cycles.
        var pending = new Stack<(object Value, string Path, int Depth)>();
        pending.Push((value, "", 0));
        while (pending.Count > 0)
        {
            var (v, path, depth) = pending.Pop();
            if (depth > 10_000) throw Errors.TypeError($"{what} is nested too deeply (or contains itself) at {Where(path)}");
            switch (v)
            {
                case PyNone or bool or long or System.Numerics.BigInteger or string:
                    break;
                case double d:
                    if (double.IsNaN(d) || double.IsInfinity(d)) throw Errors.TypeError($"{what} is not JSON data: {Ops.Repr(d)} at {Where(path)}");
                    break;
                case PyList list:
                    for (int i = list.Items.Count - 1; i >= 0; i--) pending.Push((list.Items[i], $"{path}[{i}]", depth + 1));
                    break;
                case PyTuple tuple:
                    for (int i = tuple.Items.Length - 1; i >= 0; i--) pending.Push((tuple.Items[i], $"{path}[{i}]", depth + 1));
                    break;
                case PyDict dict:
                    foreach (var (key, item) in dict.Items)
                    {
                        if (key is not string k) throw Errors.TypeError($"{what} is not JSON data: dict key {Ops.Repr(key)} is not a string at {Where(path)}");
                        pending.Push((item, $"{path}[{Ops.Repr(k)}]", depth + 1));
                    }
                    break;
                default:
                    throw Errors.TypeError($"{what} is not JSON data: object of type '{Ops.TypeName(v)}' at {Where(path)}");
            }
        }
        return Dumps(value);
    }

    private static string Where(string path) => path.Length == 0 ? "the top" : path;
}
