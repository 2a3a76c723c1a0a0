using Newtonsoft.Json.Linq;
using Workflow.Pickling.Kinds;

namespace Workflow.Pickling;

/// <summary>
/// Shows a pickle's values for `wf stack` (StackReport), following heap references: each heap
/// entry as its kind shows it (PickledKind.Show), never more than MaxDepth levels deep, nor more
/// than MaxItems items of a container. It reads what it can and shows the rest as "&lt;?&gt;".
/// </summary>
internal sealed class StackReader
{
    public const int MaxDepth = 4;
    public const int MaxItems = 50;

    private readonly JArray _heap;

    public StackReader(JObject root) => _heap = root["heap"] as JArray ?? new JArray();

    /// <summary>The heap entry [reference] (an index) names, or null.</summary>
    public JObject? Entry(JToken reference)
    {
        var index = reference.Type == JTokenType.Integer ? reference.Value<long>() : -1;
        return index >= 0 && index < _heap.Count ? _heap[(int)index] as JObject : null;
    }

    public JToken Render(JToken value, int depth, HashSet<int> path)
    {
        if (value is not JObject tagged || tagged.Count != 1) return value.DeepClone();
        var (tag, inner) = tagged.Properties().Select(p => (p.Name, p.Value)).First();
        switch (tag)
        {
            case "float":
                return double.TryParse(inner.ToString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
                    ? new JValue(d) : new JValue(inner.ToString());
            case "int": return new JValue(inner.ToString());
            case "builtin": return new JValue($"<built-in function {inner}>");
            case "type": return new JValue($"<class '{inner}'>");
            case "native": return new JValue($"<built-in method {inner}>");
            case "module": return new JValue($"<module '{inner}'>");
            case "tasklet": return new JValue($"<tasklet {inner}>");
            case "def": return new JValue($"<function {inner}>");
            case "const": return new JValue(inner.ToString());
            case "ref": break;
            default: return new JValue("<?>");
        }
        var index = inner.Type == JTokenType.Integer ? (int)inner.Value<long>() : -1;
        var entry = Entry(inner);
        if (entry == null) return new JValue("<?>");
        if (path.Contains(index)) return new JValue("<cycle>");
        var kind = PickledKinds.Of(entry);
        if (kind == null) return new JValue($"<{entry["kind"]}>");
        // Every kind that shows what it holds stops at MaxDepth: an exception whose args hold an
        // exception, a hundred thousand deep, must not take the stack (and `wf stack`) down.
        if (depth >= MaxDepth && kind.ShowsContents) return new JValue($"<{kind.Key}…>");
        path.Add(index);
        try
        {
            return kind.Show(this, entry, depth, path);
        }
        finally
        {
            path.Remove(index);
        }
    }

    /// <summary>A dict key that is a string: written inline, or a reference to a string held by several places.</summary>
    public string? StringKey(JToken key) => key.Type == JTokenType.String ? key.ToString()
        : key is JObject { Count: 1 } o && o["ref"] is { } r && Entry(r)?["shared"] is { Type: JTokenType.String } text ? text.ToString()
        : null;

    /// <summary>An instance's or exception's class name: a built-in type's, or a script class's entry's.</summary>
    public string ClassName(JToken? cls) => cls switch
    {
        JObject o when o["type"] is { } t => t.ToString(),
        JObject o when o["ref"] is { } r => Entry(r)?["name"]?.ToString() ?? "?",
        _ => "?",
    };
}
