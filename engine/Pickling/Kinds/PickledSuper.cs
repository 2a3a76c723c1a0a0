using Workflow.Runtime;
using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// super()'s proxy: <c>{"kind": "super", "class": v, "self": v}</c>, made with both. Its object
/// must be an instance of its class (as super(type, obj) requires), since the methods super()
/// finds are called on it: checked once every instance has its class.
/// </summary>
internal sealed class PickledSuper : PickledKind<PySuper>
{
    public override string Key => "super";

    protected override void Write(Pickler w, PySuper super)
    {
        w.Property("kind", Key);
        w.Value("class", super.Class);
        w.Value("self", super.Self);
    }

    public override object Create(Unpickler r, PObject e) =>
        new PySuper(r.Value(Required(e, "class")) as PyClass ?? throw Bad(e["class"]!, "expected a class"), r.Value(Required(e, "self")));

    protected override void Finish(Unpickler r, PySuper super, PObject e)
    {
        if (!BuiltinTypes.TypeOf(super.Self).IsSubclassOf(super.Class))
            throw Bad(e["self"]!, $"super()'s object is not an instance of '{super.Class.Name}'");
    }
}
