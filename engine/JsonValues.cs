using System.Numerics;
using Newtonsoft.Json.Linq;
using Workflow.Boundary;
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
    /// <summary>
    /// Parses [json], which must be strict RFC 8259 JSON (StrictJson), into script values;
    /// InvalidJsonException, naming the line and position, when it is not.
    /// </summary>
    public static object Parse(string json) => ToScript(StrictJson.Parse(json), new Dictionary<string, string>(StringComparer.Ordinal));

    // Recursive, one level per container: StrictJson refuses values nested deeper than its MaxDepth.
    private static object ToScript(JToken token, Dictionary<string, string> keys) => token.Type switch
    {
        JTokenType.Null => PyNone.Value,
        JTokenType.Boolean => Boxes.Bool((bool)token),
        JTokenType.Integer => ((JValue)token).Value is BigInteger big ? Values.Numbers.IntOps.Normalize(big) : Boxes.Int((long)token),
        JTokenType.Float => (double)token,
        JTokenType.String => (string)token!,
        JTokenType.Array => new PyList(token.Select(item => ToScript(item, keys)).ToList()),
        JTokenType.Object => ToDict((JObject)token, keys),
        _ => throw new FormatException($"unsupported JSON token {token.Type} at {token.Path}"),
    };

    /// <summary>
    /// Equal keys of one document are one string object, as CPython's json.loads makes them (its
    /// decoder's memo): a list of records holds each key once, in memory and in the pickle.
    /// </summary>
    private static PyDict ToDict(JObject obj, Dictionary<string, string> keys)
    {
        var dict = new PyDict();
        foreach (var property in obj.Properties())
        {
            if (!keys.TryGetValue(property.Name, out var key)) keys[property.Name] = key = property.Name;
            dict.Set(key, ToScript(property.Value, keys));
        }
        return dict;
    }

    /// <summary>json.dumps(value) with default settings.</summary>
    public static string Dumps(object value)
    {
        var dumps = (BuiltinFunction)BuiltinFunctions.Modules["json"].Globals["dumps"];
        return (string)dumps.Body(new[] { value }, null);
    }

    /// <summary>Values (containers and scalars, a shared one counted each time it appears) that one boundary crossing may carry.</summary>
    public const int MaxDataValues = 1_000_000;

    /// <summary>As deep as StrictJson reads, so that what one instance sends, another (or a host) can read.</summary>
    private const int MaxDataDepth = StrictJson.MaxDepth;

    /// <summary>
    /// json.dumps of a value that leaves the instance (activity arguments, a child's input, main's
    /// result): it must be JSON data, or the call that tried to send it raises TypeError naming
    /// [what] and the path. A value that would write more than MaxDataValues values (a list
    /// repeated into itself eight times over ten levels is a billion) or nests deeper than 1,000
    /// (or contains itself) is refused too, before any of it is written, and so is a str with
    /// half a surrogate pair in it (not text: StrictJson would refuse it at the other end).
    /// </summary>
    public static string DumpsData(object value, string what)
    {
        // Iterative, one frame per open container, so deep data is checked without recursion; the
        // path of an offending value is read off the frames only when it is reported.
        var frames = new List<(object Container, int Index, List<KeyValuePair<object, object>>? Keys)>();
        long values = 0;
        object? current = value;
        while (true)
        {
            if (current != null)
            {
                if (++values > MaxDataValues) throw Errors.TypeError($"{what} is too large (more than {MaxDataValues:N0} values, or it contains itself) at {PathOf(frames)}");
                switch (current)
                {
                    case PyNone or bool or long or System.Numerics.BigInteger:
                        break;
                    case string text:
                        CheckText(text, what, frames);
                        break;
                    case double d:
                        if (double.IsNaN(d) || double.IsInfinity(d)) throw Errors.TypeError($"{what} is not JSON data: {Ops.Repr(d)} at {PathOf(frames)}");
                        break;
                    case PyList or PyTuple:
                        if (frames.Count >= MaxDataDepth) throw Errors.TypeError($"{what} is nested more than {MaxDataDepth:N0} deep (or contains itself)");
                        frames.Add((current, -1, null));
                        break;
                    case PyDict dict:
                        if (frames.Count >= MaxDataDepth) throw Errors.TypeError($"{what} is nested more than {MaxDataDepth:N0} deep (or contains itself)");
                        var keys = dict.Items.ToList();
                        frames.Add((current, -1, keys));
                        foreach (var (key, _) in keys)
                        {
                            if (key is not string name) throw Errors.TypeError($"{what} is not JSON data: dict key {Ops.Repr(key)} is not a string at {PathOf(frames.SkipLast(1))}");
                            CheckText(name, what, frames.SkipLast(1));
                        }
                        break;
                    default:
                        throw Errors.TypeError($"{what} is not JSON data: object of type '{Ops.TypeName(current)}' at {PathOf(frames)}");
                }
            }
            if (frames.Count == 0) break;
            // The next item of the innermost open container, or close it.
            var (container, index, dictKeys) = frames[^1];
            index++;
            int count = container switch { PyList l => l.Items.Count, PyTuple t => t.Items.Length, _ => dictKeys!.Count };
            if (index >= count)
            {
                frames.RemoveAt(frames.Count - 1);
                current = null;
                continue;
            }
            frames[^1] = (container, index, dictKeys);
            current = container switch
            {
                PyList l => l.Items[index],
                PyTuple t => t.Items[index],
                _ => dictKeys![index].Value,
            };
        }
        return Dumps(value);
    }

    private static void CheckText(string text, string what, IEnumerable<(object Container, int Index, List<KeyValuePair<object, object>>? Keys)> frames)
    {
        int lone = StrictJson.IndexOfLoneSurrogate(text);
        if (lone >= 0) throw Errors.TypeError($"{what} is not JSON data: a str with a lone surrogate (U+{(int)text[lone]:X4}, half of a UTF-16 pair) at {PathOf(frames)}");
    }

    /// <summary>Where the value being checked is: `[2]['items'][0]`, or "the top".</summary>
    private static string PathOf(IEnumerable<(object Container, int Index, List<KeyValuePair<object, object>>? Keys)> frames)
    {
        var path = new System.Text.StringBuilder();
        foreach (var (_, index, keys) in frames)
        {
            if (index < 0) continue;
            path.Append('[').Append(keys == null ? index.ToString(System.Globalization.CultureInfo.InvariantCulture) : Ops.Repr(keys[index].Key)).Append(']');
            if (path.Length > 200) return path.ToString(0, 200) + "…";
        }
        return path.Length == 0 ? "the top" : path.ToString();
    }
}
