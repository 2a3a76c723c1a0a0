using System.Numerics;
using Newtonsoft.Json.Linq;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// A string, float or big int held by several places, one object for all of them:
/// <c>{"shared": "text"}</c>, <c>{"shared": {"float": "nan"}}</c>, <c>{"shared": {"int": "digits"}}</c>.
/// Written by Pickler.SharedValues once the rest of the pickle is (which says when a value gets
/// one); a string entry is an object of its own, never the one its inline equals share.
/// </summary>
internal sealed class PickledShared : PickledKind
{
    public override string Key => "shared";
    public override bool IsCompact => true;
    public override Type? WrittenType => null;

    public override void Write(Pickler w, object value) =>
        throw new PickleException("", "a shared value is written by Pickler.SharedValues: this is a bug in the engine");

    public override object Create(Unpickler r, PObject e)
    {
        var valueToken = e["shared"] ?? throw Bad(e, "missing \"shared\"");
        var value = valueToken.Type == PickleJsonType.String ? (string)valueToken
            : Unpickler.LoneSurrogateText(valueToken) ?? r.ScalarOrTagged(valueToken);
        return value is string or double or BigInteger ? value : throw Bad(valueToken, "only a string, a float or a big int is a shared heap entry");
    }

    public override JToken Show(StackReader r, JObject entry, int depth, HashSet<int> path) =>
        entry["shared"] is { } shared ? r.Render(shared, depth, path) : new JValue("<?>");
}
