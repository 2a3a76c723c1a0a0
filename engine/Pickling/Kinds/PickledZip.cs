using Workflow.Runtime;
using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// zip(): <c>{"kind": "zip", "inner": [v…], "strict": true?, "done": true?}</c>. Made with room for
/// its inner iterators, which are set when every object exists.
/// </summary>
internal sealed class PickledZip : PickledKind<ZipIterator>
{
    public override string Key => "zip";

    protected override void Write(Pickler w, ZipIterator it)
    {
        w.Property("kind", Key);
        w.Items("inner", it.Inner);
        if (it.Strict) w.Property("strict", true);
        if (it.Done) w.Property("done", true);
    }

    public override object Create(Unpickler r, PObject e) =>
        new ZipIterator(new object[Arr(Required(e, "inner")).Count], OptionalBool(e, "strict")) { Done = OptionalBool(e, "done") };

    protected override void Fill(Unpickler r, ZipIterator it, PObject e) => r.FillArray(it.Inner, Arr(e["inner"]!));
}
