using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>reversed(list): <c>{"kind": "list_reverseiterator", "list": v, "index": n}</c>, made whole (n from -1, done).</summary>
internal sealed class PickledListReverseIterator : PickledKind<ListReverseIterator>
{
    public override string Key => "list_reverseiterator";

    protected override void Write(Pickler w, ListReverseIterator it)
    {
        w.Property("kind", Key);
        w.Value("list", it.List);
        w.Property("index", it.Index);
    }

    public override object Create(Unpickler r, PObject e) =>
        new ListReverseIterator(PickledListIterator.ListOf(r, e)) { Index = Int(Required(e, "index"), -1, int.MaxValue) };
}
