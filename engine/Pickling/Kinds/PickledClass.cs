using Newtonsoft.Json.Linq;
using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// A script class: <c>{"kind": "class", "name": text, "base": v, "dict": {name: v…}}</c> (a
/// built-in type is a value, {"type": name}). Made with its name and base, which is created
/// first; a class cannot derive from a built-in type other than object. Its dict is filled when
/// every object exists.
/// </summary>
internal sealed class PickledClass : PickledKind<PyClass>
{
    public override string Key => "class";

    protected override void Write(Pickler w, PyClass cls)
    {
        w.Property("kind", Key);
        w.Property("name", cls.Name);
        w.Value("base", cls.Base!);
        w.Names("dict", cls.Dict);
    }

    public override object Create(Unpickler r, PObject e)
    {
        var baseToken = Required(e, "base");
        var baseClass = r.Value(baseToken) as PyClass ?? throw Bad(baseToken, "a class's base must be a class");
        if (baseClass.NativeConstructor != null && baseClass != BuiltinTypes.Object)
            throw Bad(baseToken, $"a class cannot derive from the built-in type '{baseClass.Name}'");
        return new PyClass(Str(Required(e, "name")), baseClass);
    }

    protected override void Fill(Unpickler r, PyClass cls, PObject e) => r.FillNames(cls.Dict, Required(e, "dict"));

    public override JToken Show(StackReader r, JObject entry, int depth, HashSet<int> path) => new JValue($"<class '{entry["name"]}'>");
}
