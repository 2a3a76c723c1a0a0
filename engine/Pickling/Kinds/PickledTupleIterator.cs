using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// An iterator over a fixed sequence of items (a tuple, or the snapshot reversed(dict) takes):
/// <c>{"kind": "tuple_iterator", "items": [v…], "index": n, "reversed": true?, "type_name": name?}</c>,
/// "type_name" the iterator type it shows as when reversed (only a known iterator type's name).
/// Made with room for its items, which are set when every object exists.
/// </summary>
internal sealed class PickledTupleIterator : PickledKind<TupleIterator>
{
    public override string Key => "tuple_iterator";

    protected override void Write(Pickler w, TupleIterator it)
    {
        w.Property("kind", Key);
        w.Items("items", it.Items);
        w.Property("index", it.Index);
        if (it.Reversed) w.Property("reversed", true);
        if (it.ReverseTypeName != null) w.Property("type_name", it.ReverseTypeName);
    }

    public override object Create(Unpickler r, PObject e) =>
        new TupleIterator(new object[Arr(Required(e, "items")).Count], OptionalBool(e, "reversed"), ReverseTypeName(e))
        {
            Index = Int(Required(e, "index"), -1, int.MaxValue),
        };

    protected override void Fill(Unpickler r, TupleIterator it, PObject e) => r.FillArray(it.Items, Arr(e["items"]!));

    private static string? ReverseTypeName(PObject o) => o["type_name"] is { } t
        ? BuiltinTypes.IteratorTypes.ContainsKey(Str(t)) ? Str(t) : throw Bad(t, "unknown iterator type name")
        : null;
}
