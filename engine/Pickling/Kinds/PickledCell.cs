using Newtonsoft.Json.Linq;
using Workflow.Runtime;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// A closure's cell: <c>{"kind": "cell", "value": v?}</c>, no value while the variable is unbound.
/// Frames and functions refer to their cells; `wf stack` shows a frame's cells as its variables.
/// </summary>
internal sealed class PickledCell : PickledKind<Cell>
{
    public override string Key => "cell";

    protected override void Write(Pickler w, Cell cell)
    {
        w.Property("kind", Key);
        w.OptionalValue("value", cell.Value);
    }

    public override object Create(Unpickler r, PObject e) => new Cell();

    protected override void Fill(Unpickler r, Cell cell, PObject e)
    {
        if (e["value"] is { } v) cell.Value = r.Value(v);
    }

    /// <summary>The variable a frame's cell holds, as `wf stack` shows it (null when unbound).</summary>
    internal static JToken ShowVariable(StackReader r, JToken cell)
    {
        var entry = cell is JObject o && o["ref"] is { } reference ? r.Entry(reference) : null;
        return entry?["value"] is { } v ? r.Render(v, 0, new HashSet<int>()) : JValue.CreateNull();
    }
}
