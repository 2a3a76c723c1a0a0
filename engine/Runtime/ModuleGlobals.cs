namespace Workflow.Runtime;

/// <summary>
/// One global variable of a module. Code caches the slot of each global name it uses, so a global
/// read costs a field load instead of a dictionary lookup with string hashing.
/// </summary>
internal sealed class GlobalSlot
{
    /// <summary>The value, or null while the name is unbound.</summary>
    public object? Value;
}

/// <summary>A module's global namespace: names to slots. Unbinding a name empties its slot, so caches stay valid.</summary>
internal sealed class ModuleGlobals
{
    private readonly Dictionary<string, GlobalSlot> _slots = new();

    public GlobalSlot Slot(string name)
    {
        if (!_slots.TryGetValue(name, out var slot)) _slots[name] = slot = new GlobalSlot();
        return slot;
    }

    public object this[string name]
    {
        get => TryGetValue(name, out var v) ? v : throw new KeyNotFoundException($"module has no global '{name}'");
        set => Slot(name).Value = value;
    }

    public bool TryGetValue(string name, out object value)
    {
        if (_slots.TryGetValue(name, out var slot) && slot.Value != null)
        {
            value = slot.Value;
            return true;
        }
        value = null!;
        return false;
    }

    public bool ContainsKey(string name) => TryGetValue(name, out _);

    public bool Remove(string name)
    {
        if (!_slots.TryGetValue(name, out var slot) || slot.Value == null) return false;
        slot.Value = null;
        return true;
    }

    /// <summary>The bound names and their values, in first-binding order.</summary>
    public IEnumerable<KeyValuePair<string, object>> Items =>
        _slots.Where(kv => kv.Value.Value != null).Select(kv => new KeyValuePair<string, object>(kv.Key, kv.Value.Value!));
}
