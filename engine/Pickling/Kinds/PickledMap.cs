using Workflow.Runtime;
using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// map(): <c>{"kind": "map", "function": v, "inner": [v…]}</c>. Made with its function and room for
/// its inner iterators, which are set when every object exists.
/// </summary>
internal sealed class PickledMap : PickledKind<MapIterator>
{
    public override string Key => "map";

    protected override void Write(Pickler w, MapIterator it)
    {
        w.Property("kind", Key);
        w.Value("function", it.Function);
        w.Items("inner", it.Inner);
    }

    public override object Create(Unpickler r, PObject e) =>
        new MapIterator(r.Value(Required(e, "function")), new object[Arr(Required(e, "inner")).Count]);

    protected override void Fill(Unpickler r, MapIterator it, PObject e) => r.FillArray(it.Inner, Arr(e["inner"]!));
}
