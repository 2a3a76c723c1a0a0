namespace Workflow.Runtime;

/// <summary>A variable shared between a function and the closures made inside it. Null [Value] means unbound.</summary>
internal sealed class Cell
{
    public object? Value;

    public Cell() { }
    public Cell(object? value) => Value = value;
}
