namespace Workflow;

/// <summary>
/// A thread-safe cache bounded by the total size of what it holds (sizes given by the caller), that
/// drops the least recently used entries to stay within it. One entry larger than the bound is
/// still kept (alone): the cache never refuses what its caller just made.
/// </summary>
internal sealed class LruCache<TKey, TValue> where TKey : notnull
{
    private readonly long _capacity;
    private readonly Func<TValue, long> _sizeOf;
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value, long Size)>> _entries = new();
    private readonly LinkedList<(TKey Key, TValue Value, long Size)> _byUse = new();
    private long _size;

    public LruCache(long capacity, Func<TValue, long> sizeOf)
    {
        _capacity = capacity;
        _sizeOf = sizeOf;
    }

    /// <summary>The total size of the entries held.</summary>
    public long Size { get { lock (_entries) return _size; } }

    public int Count { get { lock (_entries) return _entries.Count; } }

    public bool TryGet(TKey key, out TValue value)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _byUse.Remove(node);
                _byUse.AddFirst(node);
                value = node.Value.Value;
                return true;
            }
        }
        value = default!;
        return false;
    }

    /// <summary>Adds or replaces [key]'s entry as the most recently used, dropping the least recently used ones past the capacity.</summary>
    public void Set(TKey key, TValue value)
    {
        long size = _sizeOf(value);
        lock (_entries)
        {
            if (_entries.Remove(key, out var old))
            {
                _byUse.Remove(old);
                _size -= old.Value.Size;
            }
            _entries[key] = _byUse.AddFirst((key, value, size));
            _size += size;
            while (_size > _capacity && _byUse.Last is { } last && last != _byUse.First)
            {
                _byUse.RemoveLast();
                _entries.Remove(last.Value.Key);
                _size -= last.Value.Size;
            }
        }
    }
}
