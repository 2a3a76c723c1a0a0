namespace Workflow.Runtime;

/// <summary>Pushed by LoadMethod in place of the receiver when the attribute is not a method to bind (a module function, an instance attribute).</summary>
internal sealed class NoSelf
{
    public static readonly NoSelf Value = new();
    private NoSelf() { }
}
