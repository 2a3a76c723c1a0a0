using Workflow.Values.Numbers;

namespace Workflow.Values;

/// <summary>
/// A script dict: insertion-ordered, keyed by script equality (1, 1.0 and True are one key;
/// tuples compare by value), via Ops.Hash and Ops.Eq. Iteration order is insertion order; deleting
/// and re-inserting a key moves it to the end, as in CPython.
/// </summary>
/// <remarks>
/// Entries live in an array in insertion order; a removed entry leaves a tombstone (a null key)
/// until the array is compacted. Buckets chain entries with equal bucket index through
/// [Entry.Next]. str and int keys are hashed and compared without going through Ops, which is
/// only valid because Ops.Hash uses Hashing.HashStr and Hashing.HashInt for them.
/// </remarks>
internal sealed class PyDict
{
    private struct Entry
    {
        public object? Key;
        public object? Value;
        public long Hash;
        /// <summary>The next entry in the same bucket, or -1.</summary>
        public int Next;
    }

    private const int MinCapacity = 8;

    private Entry[] _entries = Array.Empty<Entry>();
    /// <summary>Per bucket, the index + 1 of its first entry (0 for none). Its length is a power of two.</summary>
    private int[] _buckets = Array.Empty<int>();
    /// <summary>64 minus log2 of the bucket count, for Fibonacci hashing.</summary>
    private int _shift = 64;
    /// <summary>Entry slots in use, tombstones included.</summary>
    private int _used;
    private int _count;

    public PyDict() { }

    public PyDict(int capacity)
    {
        if (capacity > 0) Allocate(RoundUpCapacity(capacity));
    }

    /// <summary>Bumped on every insertion of a new key or removal, so iterators can raise "dictionary changed size during iteration".</summary>
    public int Version { get; private set; }

    public int Count => _count;

    public bool TryGetValue(object key, out object value)
    {
        int i = FindEntry(key, HashOf(key));
        if (i < 0)
        {
            value = null!;
            return false;
        }
        value = _entries[i].Value!;
        return true;
    }

    /// <summary>Sets key to value; an existing key keeps its position (and its original key object, as CPython).</summary>
    public void Set(object key, object value) => Set(key, value, HashOf(key));

    /// <summary>Sets [key], whose [hash] is known (it comes from another dict, as CPython's dict_merge reuses it).</summary>
    public void Set(object key, object value, long hash)
    {
        int i = FindEntry(key, hash);
        if (i >= 0)
        {
            _entries[i].Value = value;
            return;
        }
        Insert(key, value, hash);
    }

    public bool Remove(object key, out object value)
    {
        long hash = HashOf(key);
        int i = FindEntry(key, hash);
        if (i < 0)
        {
            value = null!;
            return false;
        }
        value = _entries[i].Value!;
        RemoveAt(i);
        return true;
    }

    public bool ContainsKey(object key) => FindEntry(key, HashOf(key)) >= 0;

    // The halves of a lookup the prelude does when a key's __hash__ or __eq__ is a user method
    // (_dict_find): it computes the hash and compares the stored keys these give it, as frames,
    // then names the entry by its stored key object and hash.

    /// <summary>
    /// The stored keys whose hash is [hash], oldest first: the order in which CPython's probing
    /// meets keys of one hash, so user __eq__ methods are called as they are there.
    /// </summary>
    public List<object> KeysWithHash(long hash)
    {
        var keys = new List<object>();
        if (_count == 0) return keys;
        for (int i = _buckets[BucketOf(hash)] - 1; i >= 0; i = _entries[i].Next)
            if (_entries[i].Hash == hash) keys.Add(_entries[i].Key!);
        keys.Reverse();
        return keys;
    }

    /// <summary>The entry holding the very object [storedKey] with [hash]; -1 when the dict lost it meanwhile.</summary>
    public int FindStored(object storedKey, long hash)
    {
        if (_count == 0) return -1;
        for (int i = _buckets[BucketOf(hash)] - 1; i >= 0; i = _entries[i].Next)
            if (_entries[i].Hash == hash && ReferenceEquals(_entries[i].Key, storedKey)) return i;
        return -1;
    }

    public object ValueAt(int entry) => _entries[entry].Value!;

    public void SetValueAt(int entry, object value) => _entries[entry].Value = value;

    public void RemoveEntry(int entry) => RemoveAt(entry);

    /// <summary>Adds [key], known to be absent, with its [hash] already computed.</summary>
    public void InsertNew(object key, object value, long hash) => Insert(key, value, hash);

    /// <summary>
    /// How many keys may compare by a user __eq__ (instances, and tuples, which may hold them).
    /// While there are none, a str or int key is found without script code: the interpreter's
    /// fast paths for such keys ask KeysCompareWithoutScript first.
    /// </summary>
    private int _keysMaybeUserEquality;

    public bool KeysCompareWithoutScript => _keysMaybeUserEquality == 0;

    private static bool MayCompareByUserEquality(object key) => key is PyInstance or PyTuple;

    public void Clear()
    {
        _keysMaybeUserEquality = 0;
        _entries = Array.Empty<Entry>();
        _buckets = Array.Empty<int>();
        _shift = 64;
        _used = 0;
        _count = 0;
        Version++;
    }

    /// <summary>The live entries in order.</summary>
    public IEnumerable<KeyValuePair<object, object>> Items
    {
        get
        {
            for (int i = 0; i < _used; i++)
            {
                var e = _entries[i];
                if (e.Key != null) yield return new KeyValuePair<object, object>(e.Key, e.Value!);
            }
        }
    }

    /// <summary>The live entries in order with their stored hashes (for the pickler, which must not run a user __hash__).</summary>
    public IEnumerable<(object Key, object Value, long Hash)> EntriesWithHashes
    {
        get
        {
            for (int i = 0; i < _used; i++)
            {
                var e = _entries[i];
                if (e.Key != null) yield return (e.Key, e.Value!, e.Hash);
            }
        }
    }

    /// <summary>The i-th live entry for index-based iterators; returns false past the end. [position] is an opaque cursor starting at 0.</summary>
    public bool TryGetEntryAt(ref int position, out object key, out object value)
    {
        while (position < _used)
        {
            ref var e = ref _entries[position++];
            if (e.Key != null)
            {
                key = e.Key;
                value = e.Value!;
                return true;
            }
        }
        key = null!;
        value = null!;
        return false;
    }

    /// <summary>How many live entries come before cursor [position] (for the pickler: positions are not stable across a copy).</summary>
    public int LiveEntriesBefore(int position)
    {
        int live = 0;
        for (int i = 0; i < Math.Min(position, _used); i++)
            if (_entries[i].Key != null) live++;
        return live;
    }

    /// <summary>
    /// Appends an entry rebuilt by the unpickler, with its hash already computed, without looking
    /// for an equal key (which could run a user __eq__): the pickle came from a dict, so keys are distinct.
    /// </summary>
    public void AppendRestored(object key, object value, long hash) => Insert(key, value, hash);

    /// <summary>Makes the dict's version differ from [version] (an unpickled iterator that saw the dict change keeps seeing it).</summary>
    public int VersionOtherThan(int version) => version == Version ? Version - 1 : Version;

    /// <summary>Removes and returns the last inserted entry (dict.popitem); KeyError "popitem(): dictionary is empty".</summary>
    public KeyValuePair<object, object> PopLast()
    {
        if (_count == 0) throw Errors.KeyError("popitem(): dictionary is empty");
        // Trailing tombstones are always trimmed, so the last slot in use is live.
        int i = _used - 1;
        var e = _entries[i];
        RemoveAt(i);
        return new KeyValuePair<object, object>(e.Key!, e.Value!);
    }

    /// <summary>A shallow copy with the same order (dict.copy and dict(d)), without tombstones.</summary>
    public PyDict Copy()
    {
        var copy = new PyDict(_count);
        for (int i = 0; i < _used; i++)
        {
            ref var e = ref _entries[i];
            if (e.Key != null) copy.Insert(e.Key, e.Value!, e.Hash);
        }
        return copy;
    }

    private static long HashOf(object key) => key switch
    {
        string s => Hashing.HashStr(s),
        long l => Hashing.HashLong(l),
        _ => Ops.Hash(key),
    };

    private int BucketOf(long hash) => (int)(((ulong)hash * 0x9E3779B97F4A7C15UL) >> _shift);

    private int FindEntry(object key, long hash)
    {
    restart:
        if (_count == 0) return -1;
        int i = _buckets[BucketOf(hash)] - 1;
        while (i >= 0)
        {
            ref var e = ref _entries[i];
            if (e.Hash == hash)
            {
                object stored = e.Key!;
                if (ReferenceEquals(stored, key)) return i;
                if (stored is string a && key is string b)
                {
                    if (a.Length == b.Length && string.Equals(a, b)) return i;
                }
                else if (stored is long x && key is long y)
                {
                    if (x == y) return i;
                }
                else if (!IsStrAndInt(stored, key))
                {
                    // A user __eq__ may change this dict; then the chain is stale and we start over, as CPython does.
                    var entries = _entries;
                    int version = Version;
                    bool equal = Ops.Eq(stored, key);
                    if (entries != _entries || version != Version) goto restart;
                    if (equal) return i;
                }
            }
            i = e.Next;
        }
        return -1;
    }

    /// <summary>A str never equals an int, whatever their hashes, so no call to Ops is needed.</summary>
    private static bool IsStrAndInt(object a, object b) =>
        (a is string && b is long) || (a is long && b is string);

    private void Insert(object key, object value, long hash)
    {
        ValueSize.EnsureGrowth(_count + 1, ValueSize.BytesPerEntry);
        if (_used == _entries.Length) MakeRoom();
        int b = BucketOf(hash);
        int i = _used++;
        ref var e = ref _entries[i];
        e.Key = key;
        e.Value = value;
        e.Hash = hash;
        e.Next = _buckets[b] - 1;
        _buckets[b] = i + 1;
        _count++;
        if (MayCompareByUserEquality(key)) _keysMaybeUserEquality++;
        Version++;
    }

    private void RemoveAt(int i)
    {
        // Unlink entry i from its bucket's chain.
        int b = BucketOf(_entries[i].Hash);
        int j = _buckets[b] - 1;
        if (j == i) _buckets[b] = _entries[i].Next + 1;
        else
        {
            while (_entries[j].Next != i) j = _entries[j].Next;
            _entries[j].Next = _entries[i].Next;
        }
        if (MayCompareByUserEquality(_entries[i].Key!)) _keysMaybeUserEquality--;
        _entries[i] = default;
        _count--;
        Version++;

        while (_used > 0 && _entries[_used - 1].Key == null) _used--;
        if (_used - _count > _used / 2 && _used >= MinCapacity)
        {
            // Give memory back too once the dict has shrunk to an eighth of its capacity.
            Rebuild(_count < _entries.Length / 8 ? RoundUpCapacity(_count * 2) : _entries.Length);
        }
    }

    /// <summary>Called when the entries array is full: compacts away tombstones, or grows.</summary>
    private void MakeRoom()
    {
        if (_entries.Length == 0) Allocate(MinCapacity);
        else if (_used - _count >= _used / 4) Rebuild(_entries.Length);
        else Rebuild(_entries.Length * 2);
    }

    private static int RoundUpCapacity(int capacity)
    {
        int c = MinCapacity;
        while (c < capacity) c *= 2;
        return c;
    }

    private void Allocate(int capacity)
    {
        _entries = new Entry[capacity];
        _buckets = new int[capacity];
        _shift = 64 - System.Numerics.BitOperations.Log2((uint)capacity);
    }

    /// <summary>Copies the live entries, in order, into fresh arrays of [capacity] and re-chains them.</summary>
    private void Rebuild(int capacity)
    {
        var old = _entries;
        int oldUsed = _used;
        Allocate(capacity);
        int n = 0;
        for (int i = 0; i < oldUsed; i++)
        {
            ref var e = ref old[i];
            if (e.Key == null) continue;
            int b = BucketOf(e.Hash);
            ref var slot = ref _entries[n];
            slot.Key = e.Key;
            slot.Value = e.Value;
            slot.Hash = e.Hash;
            slot.Next = _buckets[b] - 1;
            _buckets[b] = n + 1;
            n++;
        }
        _used = n;
    }
}
