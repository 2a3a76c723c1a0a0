using Workflow.Values;

namespace Workflow.Pickling;

/// <summary>Which dict keys hash through a user's __hash__ method: the pickle keeps their hash, as the unpickler must not run script code.</summary>
internal static class DictKeys
{
    public static bool NeedsScriptToHash(object key)
    {
        // Tuples inside tuples are searched with a work list, not a recursion: the pickler must not
        // depend on the depth of the data it writes. Each tuple is searched once, however often it
        // is shared (t = (t, t) fifty times over holds 2 ** 50 paths).
        if (key is not PyTuple) return key is PyInstance inst && Ops.FindUserMethod(inst, "__hash__", out _);
        var pending = new Stack<object>();
        var searched = new HashSet<object>(ReferenceEqualityComparer.Instance);
        pending.Push(key);
        while (pending.Count > 0)
        {
            switch (pending.Pop())
            {
                case PyInstance inst when Ops.FindUserMethod(inst, "__hash__", out _):
                    return true;
                case PyTuple tuple when searched.Add(tuple):
                    foreach (var item in tuple.Items) pending.Push(item);
                    break;
            }
        }
        return false;
    }
}
