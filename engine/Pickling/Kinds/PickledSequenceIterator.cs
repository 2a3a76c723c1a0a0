using Workflow.Runtime;
using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// iter() over an instance with __getitem__: <c>{"kind": "sequence_iterator", "target": v, "index":
/// n}</c> (n from -1, done), made whole.
/// </summary>
internal sealed class PickledSequenceIterator : PickledKind<SequenceIterator>
{
    public override string Key => "sequence_iterator";

    protected override void Write(Pickler w, SequenceIterator it)
    {
        w.Property("kind", Key);
        w.Value("target", it.Target);
        w.Property("index", it.Index);
    }

    public override object Create(Unpickler r, PObject e) =>
        new SequenceIterator(r.Value(Required(e, "target")) as PyInstance ?? throw Bad(e["target"]!, "expected an instance"))
        {
            Index = Long(Required(e, "index"), -1),
        };
}
