using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>iter(str): <c>{"kind": "str_iterator", "text": v, "index": n}</c>, made whole.</summary>
internal sealed class PickledStrIterator : PickledKind<StrIterator>
{
    public override string Key => "str_iterator";

    protected override void Write(Pickler w, StrIterator it)
    {
        w.Property("kind", Key);
        w.Value("text", it.Text);
        w.Property("index", it.Index);
    }

    public override object Create(Unpickler r, PObject e) =>
        new StrIterator(r.Value(Required(e, "text")) as string ?? throw Bad(e, "an iterator's text is a string")) { Index = Int(Required(e, "index"), 0, int.MaxValue) };
}
