using Workflow.Runtime;
using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// A built-in type's method bound to a value: <c>{"kind": "bound_native", "self": v, "name":
/// text, "method": {"native": name}}</c>, made with all three. The method's C# code casts its
/// receiver to the method's type, so once every instance has its class the receiver is checked
/// to have it.
/// </summary>
internal sealed class PickledBoundNative : PickledKind<BoundNativeMethod>
{
    public override string Key => "bound_native";

    protected override void Write(Pickler w, BoundNativeMethod bn)
    {
        w.Property("kind", Key);
        w.Value("self", bn.Self);
        w.Property("name", bn.Name);
        w.Value("method", bn.Method);
    }

    public override object Create(Unpickler r, PObject e) =>
        new BoundNativeMethod(r.Value(Required(e, "self")), Str(Required(e, "name")),
            r.AnyValue(Required(e, "method")) as NativeMethod ?? throw Bad(e["method"]!, "expected a method of a built-in type"));

    protected override void Finish(Unpickler r, BoundNativeMethod bound, PObject e)
    {
        if (!OwnsNative(bound.Self, bound.Method))
            throw Bad(e["self"]!, $"a '{BuiltinTypes.TypeOf(bound.Self).Name}' value has no such method");
    }

    /// <summary>A built-in type's method bound to [self]: its C# code casts self to that type.</summary>
    private static bool OwnsNative(object self, NativeMethod method)
    {
        for (var type = BuiltinTypes.TypeOf(self); type != null; type = type.Base)
            if (type.NativeMethods != null && type.NativeMethods.ContainsValue(method)) return true;
        return false;
    }
}
