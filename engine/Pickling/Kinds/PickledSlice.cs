using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>A slice: <c>{"kind": "slice", "start": v, "stop": v, "step": v}</c>, made whole.</summary>
internal sealed class PickledSlice : PickledKind<PySlice>
{
    public override string Key => "slice";

    protected override void Write(Pickler w, PySlice slice)
    {
        w.Property("kind", Key);
        w.Value("start", slice.Start);
        w.Value("stop", slice.Stop);
        w.Value("step", slice.Step);
    }

    public override object Create(Unpickler r, PObject e) =>
        new PySlice(r.Value(Required(e, "start")), r.Value(Required(e, "stop")), r.Value(Required(e, "step")));
}
