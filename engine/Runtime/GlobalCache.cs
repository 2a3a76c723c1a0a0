namespace Workflow.Runtime;

/// <summary>
/// For one function: the global slot of each name its code reads or writes, and the builtin a name
/// resolved to while the global was unbound. Builtins never change, so a cached builtin is valid
/// as long as the global slot stays empty.
/// </summary>
internal sealed class GlobalCache
{
    public readonly GlobalSlot?[] Slots;
    public readonly object?[] Builtins;

    public GlobalCache(int names)
    {
        Slots = names == 0 ? Array.Empty<GlobalSlot?>() : new GlobalSlot?[names];
        Builtins = names == 0 ? Array.Empty<object?>() : new object?[names];
    }
}
