using Newtonsoft.Json.Linq;
using Workflow.Values;
using static Workflow.Pickling.PickleRead;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// A dict: <c>{"dict": [[k, v, hash?]…]}</c>, its entries in order, compact like a list (also read:
/// <c>{"kind": "dict", "items": […]}</c>). A key whose own __hash__ computed its hash keeps it
/// (recomputing it would run script code while unpickling); other keys are hashed again. The
/// entries are added when every object is filled, since a tuple key hashes by its items.
/// </summary>
internal sealed class PickledDict : PickledKind<PyDict>
{
    public override string Key => "dict";
    public override bool IsCompact => true;

    protected override void Write(Pickler w, PyDict dict) => w.DictItems("dict", dict);

    public override object Create(Unpickler r, PObject e) => new PyDict();

    protected override void Finish(Unpickler r, PyDict dict, PObject e)
    {
        foreach (var itemToken in Arr(ItemsOf(e)))
        {
            r.At(itemToken);
            var item = Arr(itemToken);
            if (item.Count is not (2 or 3)) throw Bad(itemToken, "a dict item is [key, value] or [key, value, hash]");
            var key = r.Value(item[0]);
            var value = r.Value(item[1]);
            long hash;
            if (item.Count == 3) hash = Long(item[2], long.MinValue);
            else if (DictKeys.NeedsScriptToHash(key)) throw Bad(itemToken, "a key hashed by its own __hash__ needs its hash in the pickle");
            else hash = Ops.Hash(key);
            dict.AppendRestored(key, value, hash);
        }
    }

    public override bool ShowsContents => true;

    /// <summary>A JSON object when every key is a string, else a list of [key, value] pairs.</summary>
    public override JToken Show(StackReader r, JObject entry, int depth, HashSet<int> path)
    {
        var pairs = ItemsOf(entry) as JArray ?? new JArray();
        if (pairs.All(p => p is JArray { Count: >= 2 } a && r.StringKey(a[0]) != null))
        {
            var obj = new JObject();
            foreach (var p in pairs.Take(StackReader.MaxItems)) obj[r.StringKey(p[0]!)!] = r.Render(p[1]!, depth + 1, path);
            if (pairs.Count > StackReader.MaxItems) obj["…"] = $"{pairs.Count - StackReader.MaxItems} more";
            return obj;
        }
        var list = new JArray();
        foreach (var p in pairs.Take(StackReader.MaxItems).OfType<JArray>().Where(a => a.Count >= 2))
            list.Add(new JArray(r.Render(p[0], depth + 1, path), r.Render(p[1], depth + 1, path)));
        return list;
    }
}
