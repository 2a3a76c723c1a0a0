using Newtonsoft.Json.Linq;
using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// A list: <c>{"list": [v…]}</c>, compact as the commonest entry (also read: <c>{"kind": "list",
/// "items": [v…]}</c>). Made empty, its items appended when every object exists.
/// </summary>
internal sealed class PickledList : PickledKind<PyList>
{
    public override string Key => "list";
    public override bool IsCompact => true;

    protected override void Write(Pickler w, PyList list) => w.Items("list", list.Items);

    public override object Create(Unpickler r, PObject e) => new PyList();

    protected override void Fill(Unpickler r, PyList list, PObject e)
    {
        foreach (var item in Arr(ItemsOf(e))) list.Items.Add(r.Value(item));
    }

    public override bool ShowsContents => true;

    public override JToken Show(StackReader r, JObject entry, int depth, HashSet<int> path) => ShowItems(r, ItemsOf(entry), depth, path);

    /// <summary>A list's or tuple's items as a JSON array, the first StackReader.MaxItems of them.</summary>
    internal static JArray ShowItems(StackReader r, JToken? items, int depth, HashSet<int> path)
    {
        var shown = new JArray();
        var source = items as JArray ?? new JArray();
        foreach (var item in source.Take(StackReader.MaxItems)) shown.Add(r.Render(item, depth + 1, path));
        if (source.Count > StackReader.MaxItems) shown.Add($"… {source.Count - StackReader.MaxItems} more");
        return shown;
    }
}
