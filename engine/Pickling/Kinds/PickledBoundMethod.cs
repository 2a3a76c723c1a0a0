using Workflow.Runtime;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>A script function bound to its receiver: <c>{"kind": "bound_method", "self": v, "function": v}</c>, made with both.</summary>
internal sealed class PickledBoundMethod : PickledKind<BoundMethod>
{
    public override string Key => "bound_method";

    protected override void Write(Pickler w, BoundMethod bm)
    {
        w.Property("kind", Key);
        w.Value("self", bm.Self);
        w.Value("function", bm.Function);
    }

    public override object Create(Unpickler r, PObject e) =>
        new BoundMethod(r.Value(Required(e, "self")), r.Value(Required(e, "function")) as PyFunction ?? throw Bad(e["function"]!, "expected a function"));
}
