namespace Workflow.Runtime;

/// <summary>
/// A built-in function implemented in C#. [Body] receives the positional arguments and the keyword
/// arguments (null when none) and returns a script value, or Interpreter.Suspended after it has
/// parked the current tasklet (channel operations, schedule()).
/// </summary>
internal sealed class BuiltinFunction
{
    public readonly string Name;
    public readonly Func<object[], Dictionary<string, object>?, object> Body;

    public BuiltinFunction(string name, Func<object[], Dictionary<string, object>?, object> body)
    {
        Name = name;
        Body = body;
    }

    public override string ToString() => $"<built-in function {Name}>";
}
