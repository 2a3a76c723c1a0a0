namespace Workflow.Values;

/// <summary>
/// A class: user classes made by a `class` statement, and the built-in types (int, str, list,
/// Exception, ValueError…) so that isinstance, type(x).__name__ and except clauses treat both alike.
/// Single inheritance only, so the method resolution order is the chain of [Base]s.
/// </summary>
internal sealed class PyClass
{
    public readonly string Name;
    public readonly PyClass? Base;

    /// <summary>Class attributes and methods, in definition order.</summary>
    public readonly Dictionary<string, object> Dict = new();

    /// <summary>True for BaseException and every class derived from it.</summary>
    public readonly bool IsException;

    /// <summary>For built-in types: builds an instance from call arguments (int("3"), list(xs)). Null for user classes.</summary>
    public Func<object[], Dictionary<string, object>?, object>? NativeConstructor;

    /// <summary>For built-in types: methods implemented in C# (str.split, list.append…).</summary>
    public Dictionary<string, NativeMethod>? NativeMethods;

    public PyClass(string name, PyClass? @base, bool isException = false)
    {
        Name = name;
        Base = @base;
        IsException = isException || (@base?.IsException ?? false);
    }

    public bool IsSubclassOf(PyClass other)
    {
        for (var c = this; c != null; c = c.Base)
            if (ReferenceEquals(c, other)) return true;
        return false;
    }

    /// <summary>Finds [name] on this class or its bases; script attributes shadow native methods.</summary>
    public bool TryLookup(string name, out object value)
    {
        for (var c = this; c != null; c = c.Base)
        {
            if (c.Dict.TryGetValue(name, out value!)) return true;
            if (c.NativeMethods != null && c.NativeMethods.TryGetValue(name, out var native))
            {
                value = native;
                return true;
            }
        }
        value = null!;
        return false;
    }

    public override string ToString() => $"<class '{Name}'>";
}
