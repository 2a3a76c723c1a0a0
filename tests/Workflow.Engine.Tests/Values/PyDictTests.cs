using Workflow.Values;
using static Workflow.Tests.Values.Py;

namespace Workflow.Tests.Values;

public class PyDictTests
{
    private static List<object> Keys(PyDict d) => d.Items.Select(kv => kv.Key).ToList();

    private static PyDict Of(params (object Key, object Value)[] items)
    {
        var d = new PyDict();
        foreach (var (k, v) in items) d.Set(k, v);
        return d;
    }

    [Fact]
    public void Iteration_FollowsInsertionOrder()
    {
        var d = Of(("b", 1L), ("a", 2L), (3L, 3L), ("c", 4L));
        Assert.Equal(new object[] { "b", "a", 3L, "c" }, Keys(d));
    }

    [Fact]
    public void DeletingAndReinserting_MovesTheKeyToTheEnd()
    {
        // d = {'a': 1, 'b': 2, 'c': 3}; del d['a']; d['a'] = 4; list(d) == ['b', 'c', 'a']
        var d = Of(("a", 1L), ("b", 2L), ("c", 3L));
        Assert.True(d.Remove("a", out var removed));
        Assert.Equal(1L, removed);
        d.Set("a", 4L);
        Assert.Equal(new object[] { "b", "c", "a" }, Keys(d));
    }

    [Fact]
    public void SettingAnExistingKey_KeepsItsPositionAndOriginalKeyObject()
    {
        // d = {1: 'a'}; d[1.0] = 'b'; d[True] = 'c'; d == {1: 'c'}
        var d = Of((1L, "a"));
        d.Set(1.0, "b");
        d.Set(true, "c");
        Assert.Equal(1, d.Count);
        var only = d.Items.Single();
        Assert.Equal(1L, only.Key);
        Assert.Equal("c", only.Value);
        Assert.True(d.TryGetValue(true, out var v));
        Assert.Equal("c", v);
    }

    [Fact]
    public void ZeroAndNegativeZero_AreOneKey()
    {
        // {0.0: 'z', -0.0: 'w', 0: 'q'} == {0.0: 'q'}
        var d = Of((0.0, "z"), (-0.0, "w"), (0L, "q"));
        Assert.Equal(1, d.Count);
        Assert.Equal(0.0, d.Items.Single().Key);
        Assert.Equal("q", d.Items.Single().Value);
    }

    [Fact]
    public void TupleKeys_CompareByValue()
    {
        // {(1, 2): 'x'}[(1.0, 2)] == 'x'
        var d = Of((PyTuple.Of(1L, 2L), "x"));
        Assert.True(d.TryGetValue(PyTuple.Of(1.0, 2L), out var v));
        Assert.Equal("x", v);
        Assert.False(d.ContainsKey(PyTuple.Of(2L, 1L)));
    }

    [Fact]
    public void StringAndIntKeys_NeverCollide()
    {
        var d = Of(("1", "str"), (1L, "int"));
        Assert.Equal(2, d.Count);
        Assert.True(d.TryGetValue("1", out var s));
        Assert.Equal("str", s);
        Assert.True(d.TryGetValue(1L, out var i));
        Assert.Equal("int", i);
    }

    [Fact]
    public void UnhashableKey_RaisesTypeError()
    {
        // {}[[1]] = 1 raises TypeError: unhashable type: 'list'
        var d = new PyDict();
        Raises("TypeError", "unhashable type: 'list'", () => d.Set(new PyList(new List<object> { 1L }), 1L));
        Raises("TypeError", "unhashable type: 'list'", () => d.ContainsKey(new PyList()));
    }

    [Fact]
    public void GrowingTo100kEntries_ThenDeletingHalf_KeepsOrderAndLookups()
    {
        // d = {i: i for i in range(100000)}; del every even key; len(d) == 50000, list(d)[:5] == [1, 3, 5, 7, 9]
        var d = new PyDict();
        for (long i = 0; i < 100_000; i++) d.Set(i, i * 2);
        for (long i = 0; i < 100_000; i += 2) Assert.True(d.Remove(i, out _));
        Assert.Equal(50_000, d.Count);
        Assert.Equal(new object[] { 1L, 3L, 5L, 7L, 9L }, Keys(d).Take(5));
        Assert.Equal(99_999L, Keys(d).Last());
        for (long i = 0; i < 100_000; i++)
        {
            Assert.Equal(i % 2 == 1, d.TryGetValue(i, out var v));
            if (i % 2 == 1) Assert.Equal(i * 2, v);
        }
    }

    [Fact]
    public void ManyDeletions_CompactTombstonesWithoutLosingEntries()
    {
        var d = new PyDict();
        for (int round = 0; round < 50; round++)
        {
            for (int i = 0; i < 1000; i++) d.Set($"k{round}-{i}", (long)i);
            for (int i = 0; i < 1000; i++)
                if (i % 10 != 0) Assert.True(d.Remove($"k{round}-{i}", out _));
        }
        Assert.Equal(50 * 100, d.Count);
        var expected = Enumerable.Range(0, 50).SelectMany(r => Enumerable.Range(0, 100).Select(i => (object)$"k{r}-{i * 10}"));
        Assert.Equal(expected, Keys(d));
    }

    [Fact]
    public void PopLast_RemovesTheNewestEntry()
    {
        // d = {'x': 1, 'y': 2}; d.popitem(), d.popitem() == ('y', 2), ('x', 1)
        var d = Of(("x", 1L), ("y", 2L));
        Assert.Equal(new KeyValuePair<object, object>("y", 2L), d.PopLast());
        Assert.Equal(new KeyValuePair<object, object>("x", 1L), d.PopLast());
        Raises("KeyError", "'popitem(): dictionary is empty'", () => d.PopLast());
    }

    [Fact]
    public void TryGetEntryAt_SkipsDeletedEntries()
    {
        var d = Of(("a", 1L), ("b", 2L), ("c", 3L));
        d.Remove("b", out _);
        int cursor = 0;
        var seen = new List<object>();
        while (d.TryGetEntryAt(ref cursor, out var key, out _)) seen.Add(key);
        Assert.Equal(new object[] { "a", "c" }, seen);
    }

    [Fact]
    public void Version_ChangesOnInsertAndRemoveOnly()
    {
        var d = Of(("a", 1L));
        int v0 = d.Version;
        d.Set("a", 2L);
        Assert.Equal(v0, d.Version);
        d.Set("b", 3L);
        int v1 = d.Version;
        Assert.NotEqual(v0, v1);
        d.Remove("a", out _);
        Assert.NotEqual(v1, d.Version);
    }

    [Fact]
    public void ClearAndCopy_Work()
    {
        var d = Of(("a", 1L), ("b", 2L));
        d.Remove("a", out _);
        var copy = d.Copy();
        d.Clear();
        Assert.Equal(0, d.Count);
        Assert.False(d.ContainsKey("b"));
        Assert.Equal(new object[] { "b" }, Keys(copy));
        d.Set("z", 0L);
        Assert.Equal(new object[] { "z" }, Keys(d));
    }
}
