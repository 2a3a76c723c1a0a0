using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// An iterator over a dict's keys, values or items: <c>{"kind": "dict_iterator", "dict": v, "view":
/// "keys"|"values"|"items", "index": n, "count": n, "changed": true?}</c>. Its position counts live
/// entries (the unpickled dict has no deleted slots); "changed" says the dict changed size since
/// the iterator began, so its next step raises as CPython's does. Made with its dict; its
/// position is set once the dict has its entries.
/// </summary>
internal sealed class PickledDictIterator : PickledKind<DictIterator>
{
    public override string Key => "dict_iterator";

    protected override void Write(Pickler w, DictIterator it)
    {
        w.Property("kind", Key);
        w.Value("dict", it.Dict);
        w.Property("view", PickledDictView.ViewName(it.Kind));
        w.Property("index", it.Dict.LiveEntriesBefore(it.Position));
        w.Property("count", it.Count);
        if (it.Version != it.Dict.Version) w.Property("changed", true);
    }

    public override object Create(Unpickler r, PObject e) => new DictIterator(PickledDictView.DictOf(r, e), PickledDictView.View(e));

    protected override void Settle(Unpickler r, DictIterator it, PObject e)
    {
        var changed = e["changed"] is { } c && Bool(c);
        it.Restore(Int(Required(e, "index"), 0, int.MaxValue),
            changed ? it.Dict.VersionOtherThan(it.Dict.Version) : it.Dict.Version,
            Int(Required(e, "count"), 0, int.MaxValue));
    }
}
