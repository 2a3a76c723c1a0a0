using System.Numerics;
using Newtonsoft.Json.Linq;
using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// A range: <c>{"kind": "range", "start": int, "stop": int, "step": int}</c>, each bound a script
/// int of any size (a JSON integer within 64 bits, {"int": digits} past them); the step is not
/// zero. Made whole.
/// </summary>
internal sealed class PickledRange : PickledKind<PyRange>
{
    public override string Key => "range";

    protected override void Write(Pickler w, PyRange range)
    {
        w.Property("kind", Key);
        w.Value("start", range.Start);
        w.Value("stop", range.Stop);
        w.Value("step", range.Step);
    }

    public override object Create(Unpickler r, PObject e)
    {
        var step = Bound(r, e, "step");
        if (step.IsZero) throw Bad(e["step"]!, "a range's step cannot be zero");
        return PyRange.Of(Bound(r, e, "start"), Bound(r, e, "stop"), step);
    }

    private static BigInteger Bound(Unpickler r, PObject e, string name) => r.Value(Required(e, name)) switch
    {
        long l => l,
        BigInteger big => big,
        _ => throw Bad(e[name]!, "expected an integer"),
    };

    public override JToken Show(StackReader r, JObject entry, int depth, HashSet<int> path) =>
        new JValue($"range({entry["start"]}, {entry["stop"]}, {entry["step"]})");
}
