using Workflow.Values;

namespace Workflow.Runtime;

/// <summary>super(cls, obj): attribute lookup that starts after [Class] in obj's class chain, bound to [Self].</summary>
internal sealed class PySuper
{
    public readonly PyClass Class;
    public readonly object Self;

    public PySuper(PyClass cls, object self)
    {
        Class = cls;
        Self = self;
    }

    public bool TryGetAttr(string name, out object value)
    {
        for (var c = Class.Base; c != null; c = c.Base)
        {
            if (c.Dict.TryGetValue(name, out value!))
            {
                value = Ops.Bind(Self, value);
                return true;
            }
            if (c.NativeMethods != null && c.NativeMethods.TryGetValue(name, out var native))
            {
                value = new BoundNativeMethod(Self, name, native);
                return true;
            }
        }
        value = null!;
        return false;
    }
}
