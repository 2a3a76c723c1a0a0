using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>iter(list): <c>{"kind": "list_iterator", "list": v, "index": n}</c>, made whole (n from 0).</summary>
internal sealed class PickledListIterator : PickledKind<ListIterator>
{
    public override string Key => "list_iterator";

    protected override void Write(Pickler w, ListIterator it)
    {
        w.Property("kind", Key);
        w.Value("list", it.List);
        w.Property("index", it.Index);
    }

    public override object Create(Unpickler r, PObject e) =>
        new ListIterator(ListOf(r, e)) { Index = Int(Required(e, "index"), 0, int.MaxValue) };

    internal static PyList ListOf(Unpickler r, PObject e) => r.Value(Required(e, "list")) as PyList ?? throw Bad(e["list"]!, "expected a list");
}
