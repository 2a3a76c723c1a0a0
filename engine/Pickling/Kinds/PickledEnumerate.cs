using Workflow.Runtime;
using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>enumerate(): <c>{"kind": "enumerate", "inner": v, "count": int}</c>, made with its inner iterator.</summary>
internal sealed class PickledEnumerate : PickledKind<EnumerateIterator>
{
    public override string Key => "enumerate";

    protected override void Write(Pickler w, EnumerateIterator it)
    {
        w.Property("kind", Key);
        w.Value("inner", it.Inner);
        w.Value("count", it.Count);
    }

    public override object Create(Unpickler r, PObject e) => new EnumerateIterator(r.Value(Required(e, "inner")), r.Value(Required(e, "count")));
}
