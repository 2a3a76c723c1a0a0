using Workflow.Values;

namespace Workflow.Runtime;

/// <summary>A script function bound to the instance it was looked up on (`obj.method`).</summary>
internal sealed class BoundMethod
{
    public readonly object Self;
    public readonly PyFunction Function;

    public BoundMethod(object self, PyFunction function)
    {
        Self = self;
        Function = function;
    }
}

/// <summary>A C# method of a built-in type bound to its receiver (`xs.append`, `s.split`).</summary>
internal sealed class BoundNativeMethod
{
    public readonly object Self;
    public readonly string Name;
    public readonly NativeMethod Method;

    public BoundNativeMethod(object self, string name, NativeMethod method)
    {
        Self = self;
        Name = name;
        Method = method;
    }
}
