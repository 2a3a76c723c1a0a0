namespace Workflow.Values;

/// <summary>
/// A script dict: insertion-ordered, keyed by script equality (1, 1.0 and True are one key;
/// tuples compare by value), via Ops.Hash and Ops.Eq. Iteration order is insertion order; deleting
/// and re-inserting a key moves it to the end, as in CPython.
/// </summary>
internal sealed class PyDict
{
    /// <summary>Bumped on every insertion of a new key or removal, so iterators can raise "dictionary changed size during iteration".</summary>
    public int Version { get; }
    public int Count => throw new NotImplementedException();
    public bool TryGetValue(object key, out object value) => throw new NotImplementedException();
    /// <summary>Sets key to value; an existing key keeps its position (and its original key object, as CPython).</summary>
    public void Set(object key, object value) => throw new NotImplementedException();
    public bool Remove(object key, out object value) => throw new NotImplementedException();
    public bool ContainsKey(object key) => throw new NotImplementedException();
    public void Clear() => throw new NotImplementedException();
    /// <summary>The live entries in order.</summary>
    public IEnumerable<KeyValuePair<object, object>> Items => throw new NotImplementedException();
    /// <summary>The i-th live entry for index-based iterators; returns false past the end. [position] is an opaque cursor starting at 0.</summary>
    public bool TryGetEntryAt(ref int position, out object key, out object value) => throw new NotImplementedException();
    /// <summary>Removes and returns the last inserted entry (dict.popitem); KeyError "popitem(): dictionary is empty".</summary>
    public KeyValuePair<object, object> PopLast() => throw new NotImplementedException();
}
