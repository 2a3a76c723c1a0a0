using Newtonsoft.Json.Linq;
using Workflow.Values;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// The closed table of heap kinds: the only objects a pickle can make. The Pickler finds an
/// object's kind by its exact type; the Unpickler and `wf stack` by the entry's "kind", or for the
/// compact kinds by the entry's one key, or for a future by its type's key (PickledFuture). Any
/// other entry is refused.
/// </summary>
internal static class PickledKinds
{
    private static readonly PickledKind[] Table =
    {
        new PickledList(), new PickledTuple(), new PickledDict(), new PickledShared(), new PickledCell(),
        new PickledException(), new PickledInstance(), new PickledClass(), new PickledFunction(), new PickledCode(),
        new PickledBoundMethod(), new PickledBoundNative(), new PickledSuper(), new PickledGenerator(),
        new PickledChannel(), new PickledFuture(), new PickledRange(), new PickledSlice(), new PickledDictView(),
        new PickledListIterator(), new PickledListReverseIterator(), new PickledTupleIterator(), new PickledStrIterator(),
        new PickledRangeIterator(), new PickledDictIterator(), new PickledEnumerate(), new PickledZip(), new PickledMap(),
        new PickledFilter(), new PickledSequenceIterator(), new PickledChannelIterator(),
    };

    /// <summary>Every kind.</summary>
    public static IReadOnlyList<PickledKind> All => Table;

    private static readonly Dictionary<string, PickledKind> ByKey = Table.ToDictionary(k => k.Key, StringComparer.Ordinal);

    private static readonly Dictionary<Type, PickledKind> ByType =
        Table.Where(k => k.WrittenType != null).ToDictionary(k => k.WrittenType!);

    /// <summary>The kind the Pickler writes [value] as.</summary>
    public static PickledKind ToWrite(object value) =>
        ByType.TryGetValue(value.GetType(), out var kind) ? kind
            : throw new PickleException("", $"no pickle kind for a value of type '{Ops.TypeName(value)}': this is a bug in the engine");

    /// <summary>The kind named [key] ("kind": key), or null.</summary>
    public static PickledKind? Named(string key) => ByKey.GetValueOrDefault(key);

    /// <summary>The kind of heap entry [e] as the unpickler reads it: refused when it names none.</summary>
    public static PickledKind Of(PObject e)
    {
        if (e["kind"] is { } kindToken)
        {
            var key = PickleRead.Str(kindToken);
            return Named(key) ?? throw PickleRead.Bad(kindToken, $"unknown kind '{key}'");
        }
        return Unnamed(e, e.Count, e.Count > 0 ? e.FirstProperty.Key : null, static (o, key) => o[key] != null)
            ?? throw PickleRead.Bad(e, "missing \"kind\"");
    }

    /// <summary>The kind of heap entry [entry] as `wf stack` reads it, alike; null when it names none.</summary>
    public static PickledKind? Of(JObject entry)
    {
        if (entry["kind"] is { } kind) return Named(kind.ToString());
        return Unnamed(entry, entry.Count, entry.Count > 0 ? ((JProperty)entry.First!).Name : null, static (o, key) => o[key] != null);
    }

    /// <summary>The kind of an entry without "kind": a compact kind's one key, or a future's type key; null for another shape.</summary>
    /// <remarks>Read alike from the unpickler's PObject and `wf stack`'s JObject: [has] says whether [entry] has a key.</remarks>
    private static PickledKind? Unnamed<TEntry>(TEntry entry, int count, string? firstKey, Func<TEntry, string, bool> has)
    {
        if (count == 1 && firstKey != null && ByKey.TryGetValue(firstKey, out var compact) && compact.IsCompact) return compact;
        foreach (var key in PickledFuture.TypeKeys)
            if (has(entry, key)) return Future;
        return null;
    }

    private static readonly PickledKind Future = ByKey["future"];
}
