namespace Workflow.Values;

/// <summary>An instance of a user class: its class and its attribute dictionary.</summary>
internal class PyInstance
{
    public PyClass Class;
    public readonly Dictionary<string, object> Attributes = new();

    public PyInstance(PyClass cls) => Class = cls;
}
