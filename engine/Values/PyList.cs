namespace Workflow.Values;

/// <summary>A script list: a growable array of values.</summary>
internal sealed class PyList
{
    public readonly List<object> Items;

    public PyList() => Items = new List<object>();
    public PyList(List<object> items) => Items = items;
    public PyList(IEnumerable<object> items) => Items = new List<object>(items);

    public int Count => Items.Count;
}
