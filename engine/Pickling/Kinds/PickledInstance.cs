using Newtonsoft.Json.Linq;
using Workflow.Builtins;
using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// An instance of a script class: <c>{"kind": "instance", "class": v, "attrs": {name: v…}}</c>.
/// Made as a plain object, given its class and attributes when every object exists. An
/// exception class's instance is an exception (PickledException), a built-in type's value has its
/// own kind: neither is read as an instance.
/// </summary>
internal sealed class PickledInstance : PickledKind<PyInstance>
{
    public override string Key => "instance";

    protected override void Write(Pickler w, PyInstance instance)
    {
        w.Property("kind", Key);
        w.Value("class", instance.Class);
        w.Names("attrs", instance.Attributes);
    }

    public override object Create(Unpickler r, PObject e) => new PyInstance(BuiltinTypes.Object);

    protected override void Fill(Unpickler r, PyInstance instance, PObject e)
    {
        var cls = r.Value(Required(e, "class")) as PyClass ?? throw Bad(e["class"]!, "an instance's class must be a class");
        if (cls.IsException) throw Bad(e["class"]!, "an instance of an exception class is pickled as an exception");
        if (cls.NativeConstructor != null && cls != BuiltinTypes.Object) throw Bad(e["class"]!, $"'{cls.Name}' values are not pickled as instances");
        instance.Class = cls;
        r.FillNames(instance.Attributes, Required(e, "attrs"));
    }

    public override bool ShowsContents => true;

    public override JToken Show(StackReader r, JObject entry, int depth, HashSet<int> path) => ShowAttributes(r, entry, depth, path);

    /// <summary>An instance or exception as `wf stack` shows it: its class's name, an exception's args, the attributes.</summary>
    internal static JObject ShowAttributes(StackReader r, JObject entry, int depth, HashSet<int> path)
    {
        var obj = new JObject { ["__class__"] = r.ClassName(entry["class"]) };
        if (entry["args"] is JArray args) obj["args"] = new JArray(args.Select(a => r.Render(a, depth + 1, path)));
        if (entry["attrs"] is JObject attrs)
            foreach (var (name, v) in attrs) obj[name] = r.Render(v!, depth + 1, path);
        return obj;
    }
}
