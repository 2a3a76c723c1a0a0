using Workflow.Runtime;

namespace Workflow.Values;

internal static partial class Ops
{
    /// <summary>What attribute lookup returns for a class attribute found on [owner]'s class: methods get bound.</summary>
    public static object Bind(object owner, object attribute) => attribute switch
    {
        PyFunction fn => new BoundMethod(owner, fn),
        NativeMethod nm => new BoundNativeMethod(owner, "method", nm),
        _ => attribute,
    };

    public static object GetAttr(object obj, string name) =>
        TryGetAttr(obj, name, out var value) ? value : throw MissingAttribute(obj, name);

    public static ScriptError MissingAttribute(object obj, string name) => obj switch
    {
        PyClass c => Errors.AttributeError($"type object '{c.Name}' has no attribute '{name}'"),
        PyModule m => Errors.AttributeError($"module '{m.Name}' has no attribute '{name}'"),
        // CPython's method looks a missing attribute up on its function, which reports it.
        BoundMethod bm => MissingAttribute(bm.Function, name),
        _ => Errors.AttributeError($"'{TypeName(obj)}' object has no attribute '{name}'"),
    };

    public static bool TryGetAttr(object obj, string name, out object value)
    {
        switch (obj)
        {
            case PyInstance inst:
                if (inst.Attributes.TryGetValue(name, out value!)) return true;
                if (inst is PyException e)
                {
                    switch (name)
                    {
                        case "args": value = e.Args; return true;
                        case "__cause__": value = (object?)e.Cause ?? PyNone.Value; return true;
                        case "__context__": value = (object?)e.Context ?? PyNone.Value; return true;
                        case "__suppress_context__": value = Boxes.Bool(e.SuppressContext); return true;
                        case "value" when e.Class.IsSubclassOf(ExceptionTypes.StopIteration):
                            value = e.Args.Items.Length > 0 ? e.Args.Items[0] : PyNone.Value;
                            return true;
                    }
                }
                if (name == "__class__")
                {
                    value = inst.Class;
                    return true;
                }
                if (inst.Class.TryLookup(name, out var attr))
                {
                    value = attr is NativeMethod nm ? new BoundNativeMethod(inst, name, nm) : Bind(inst, attr);
                    return true;
                }
                return false;
            case PyClass cls:
                switch (name)
                {
                    case "__name__": value = cls.Name; return true;
                    case "__qualname__": value = QualifiedName(cls); return true;
                    case "__base__": value = (object?)cls.Base ?? PyNone.Value; return true;
                }
                if (cls.TryLookup(name, out value!))
                {
                    if (value is NativeMethod)
                    {
                        // The built-in type in the class chain whose table defines it.
                        var owner = cls;
                        while (owner.NativeMethods == null || !owner.NativeMethods.ContainsKey(name)) owner = owner.Base!;
                        value = Builtins.UnboundMethods.Get(owner, name)!;
                    }
                    return true;
                }
                return false;
            case PyModule module:
                return module.Globals.TryGetValue(name, out value!);
            case PyFunction fn:
                switch (name)
                {
                    case "__name__": value = fn.Code.Name; return true;
                    case "__qualname__": value = fn.Code.QualifiedName; return true;
                    case "__module__": value = fn.Module.Name; return true;
                }
                value = null!;
                return false;
            case PySuper super:
                return super.TryGetAttr(name, out value);
            case BuiltinFunction bf when name == "__name__":
                value = bf.Name;
                return true;
            case BoundMethod bm:
                switch (name)
                {
                    case "__self__": value = bm.Self; return true;
                    case "__func__": value = bm.Function; return true;
                    case "__name__": value = bm.Function.Code.Name; return true;
                }
                value = null!;
                return false;
        }
        if (IsNumber(obj) && TryGetNumberAttr(obj, name, out value)) return true;
        var type = BuiltinTypes.TypeOf(obj);
        if (type.NativeMethods != null && type.NativeMethods.TryGetValue(name, out var method))
        {
            value = new BoundNativeMethod(obj, name, method);
            return true;
        }
        value = null!;
        return false;
    }

    /// <summary>The data attributes of numbers: int's real, imag, numerator, denominator (a bool gives ints) and float's real, imag.</summary>
    private static bool TryGetNumberAttr(object number, string name, out object value)
    {
        if (number is double)
        {
            value = name switch { "real" => number, "imag" => 0.0, _ => null! };
            return value != null;
        }
        object asInt = number is bool b ? Boxes.Int(b ? 1 : 0) : number;
        value = name switch
        {
            "real" or "numerator" => asInt,
            "imag" => Boxes.Int(0),
            "denominator" => Boxes.Int(1),
            _ => null!,
        };
        return value != null;
    }

    public static void SetAttr(object obj, string name, object value)
    {
        switch (obj)
        {
            case PyException e when name == "args":
                e.Args = value is PyTuple t ? t : new PyTuple(Iterate(value).ToArray());
                return;
            case PyInstance inst:
                inst.Attributes[name] = value;
                return;
            case PyClass cls when cls.NativeConstructor == null:
                cls.Dict[name] = value;
                return;
            case PyModule module:
                module.Globals[name] = value;
                return;
            case PyClass cls:
                throw Errors.TypeError($"cannot set '{name}' attribute of immutable type '{cls.Name}'");
        }
        throw Errors.AttributeError($"'{TypeName(obj)}' object has no attribute '{name}'");
    }

    public static void DelAttr(object obj, string name)
    {
        switch (obj)
        {
            case PyInstance inst when inst.Attributes.Remove(name): return;
            case PyClass cls when cls.NativeConstructor == null && cls.Dict.Remove(name): return;
            case PyModule module when module.Globals.Remove(name): return;
        }
        throw MissingAttribute(obj, name);
    }
}
