using Workflow.Runtime;
using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>filter(): <c>{"kind": "filter", "function": v, "inner": v}</c>, made whole.</summary>
internal sealed class PickledFilter : PickledKind<FilterIterator>
{
    public override string Key => "filter";

    protected override void Write(Pickler w, FilterIterator it)
    {
        w.Property("kind", Key);
        w.Value("function", it.Function);
        w.Value("inner", it.Inner);
    }

    public override object Create(Unpickler r, PObject e) => new FilterIterator(r.Value(Required(e, "function")), r.Value(Required(e, "inner")));
}
