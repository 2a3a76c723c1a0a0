namespace Workflow.Values;

/// <summary>The single None value. Script values are plain CLR objects; None is this object, never null.</summary>
internal sealed class PyNone
{
    public static readonly PyNone Value = new();
    private PyNone() { }
    public override string ToString() => "None";
}
