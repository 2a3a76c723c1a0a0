using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>iter(range) or reversed(range): <c>{"kind": "range_iterator", "range": v, "index": n, "reversed": true?}</c>, made whole.</summary>
internal sealed class PickledRangeIterator : PickledKind<RangeIterator>
{
    public override string Key => "range_iterator";

    protected override void Write(Pickler w, RangeIterator it)
    {
        w.Property("kind", Key);
        w.Value("range", it.Range);
        w.Property("index", it.Index);
        if (it.Reversed) w.Property("reversed", true);
    }

    public override object Create(Unpickler r, PObject e) =>
        new RangeIterator(r.Value(Required(e, "range")) as PyRange ?? throw Bad(e["range"]!, "expected a range"), OptionalBool(e, "reversed"))
        {
            Index = Long(Required(e, "index"), 0),
        };
}
