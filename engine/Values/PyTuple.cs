namespace Workflow.Values;

/// <summary>A script tuple: an immutable array of values.</summary>
internal sealed class PyTuple
{
    public static readonly PyTuple Empty = new(Array.Empty<object>());

    public readonly object[] Items;

    public PyTuple(object[] items) => Items = items;

    public int Count => Items.Length;

    public static PyTuple Of(params object[] items) => items.Length == 0 ? Empty : new PyTuple(items);
}
