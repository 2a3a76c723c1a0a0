using Newtonsoft.Json.Linq;

namespace Workflow.Pickling.Kinds;

/// <summary>
/// One kind of heap entry, in one place (Stackless's prickelpit.c is the model): its JSON layout (in
/// each kind's doc comment), how the Pickler writes an object of it, how the Unpickler creates the
/// empty object and then fills and checks it, and how `wf stack` shows it. PickledKinds is the
/// closed table of them.
/// </summary>
/// <remarks>
/// The Unpickler builds the heap in passes, each over every entry in order: Create (only the
/// references a constructor needs are resolved then, such as a class's base, recursively), Fill
/// (contents; every object exists), Finish (what needs every object filled: a dict's keys hash by
/// their items, a bound method's receiver has its class), then, once the modules' globals are
/// bound, Settle (what needs every object finished: a dict iterator's position in its dict).
/// Errors are PickleExceptions naming the path inside the pickle (PickleRead.Bad).
/// </remarks>
internal abstract class PickledKind
{
    /// <summary>The kind's name: `"kind": Key`, or the one key of a compact entry (`{"list": […]}`).</summary>
    public abstract string Key { get; }

    /// <summary>Written as `{Key: value}`, the entry's only key (the commonest kinds, kept small).</summary>
    public virtual bool IsCompact => false;

    /// <summary>The object type the Pickler writes as this kind (exactly that type), or null when none is (a shared value is written by Pickler.SharedValues).</summary>
    public abstract Type? WrittenType { get; }

    /// <summary>Writes [value]'s keys, inside the entry's braces.</summary>
    public abstract void Write(Pickler w, object value);

    /// <summary>The empty object, with what its constructor needs.</summary>
    public abstract object Create(Unpickler r, PObject e);

    public virtual void Fill(Unpickler r, object target, PObject e) { }

    public virtual void Finish(Unpickler r, object target, PObject e) { }

    public virtual void Settle(Unpickler r, object target, PObject e) { }

    /// <summary>`wf stack` shows what it holds (cut off at StackReader.MaxDepth), not just its kind.</summary>
    public virtual bool ShowsContents => false;

    /// <summary>How `wf stack` shows an entry of this kind; [path] holds the entries being shown, for cycles.</summary>
    public virtual JToken Show(StackReader r, JObject entry, int depth, HashSet<int> path) => new JValue($"<{Key}>");

    /// <summary>A compact kind's items: under "items", or the one value of the compact form.</summary>
    protected PNode ItemsOf(PObject e) => e["items"] ?? (e.Count == 1 ? e[Key] : null) ?? throw PickleRead.Bad(e, "missing \"items\"");

    /// <summary>The same, for `wf stack`, which shows what it can: null when there are none.</summary>
    protected JToken? ItemsOf(JObject e) => e["items"] ?? (e.Count == 1 ? e[Key] : null);

    /// <summary>The tasklets that wait in this entry (ids in [ids]), and for what: `wf stack`'s "waiting for".</summary>
    public virtual void AddWaiters(JObject entry, Action<JToken?, string> add) { }
}

/// <summary>A kind whose objects are [T]s: casts once, here.</summary>
internal abstract class PickledKind<T> : PickledKind where T : class
{
    public sealed override Type WrittenType => typeof(T);

    public sealed override void Write(Pickler w, object value) => Write(w, (T)value);
    public sealed override void Fill(Unpickler r, object target, PObject e) => Fill(r, (T)target, e);
    public sealed override void Finish(Unpickler r, object target, PObject e) => Finish(r, (T)target, e);
    public sealed override void Settle(Unpickler r, object target, PObject e) => Settle(r, (T)target, e);

    protected abstract void Write(Pickler w, T value);
    protected virtual void Fill(Unpickler r, T target, PObject e) { }
    protected virtual void Finish(Unpickler r, T target, PObject e) { }
    protected virtual void Settle(Unpickler r, T target, PObject e) { }
}
