using Newtonsoft.Json.Linq;
using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// A tuple: <c>{"tuple": [v…]}</c>, compact like a list (also read: <c>{"kind": "tuple", "items":
/// [v…]}</c>). Made with room for its items, which are set when every object exists.
/// </summary>
internal sealed class PickledTuple : PickledKind<PyTuple>
{
    public override string Key => "tuple";
    public override bool IsCompact => true;

    protected override void Write(Pickler w, PyTuple tuple) => w.Items("tuple", tuple.Items);

    public override object Create(Unpickler r, PObject e) => new PyTuple(new object[Arr(ItemsOf(e)).Count]);

    protected override void Fill(Unpickler r, PyTuple tuple, PObject e) => r.FillArray(tuple.Items, Arr(ItemsOf(e)));

    public override bool ShowsContents => true;

    public override JToken Show(StackReader r, JObject entry, int depth, HashSet<int> path) => PickledList.ShowItems(r, ItemsOf(entry), depth, path);
}
