using Workflow.Values;

namespace Workflow.Pickling;

/// <summary>Which dict keys hash through a user's __hash__ method: the pickle keeps their hash, as the unpickler must not run script code.</summary>
internal static class DictKeys
{
    public static bool NeedsScriptToHash(object key)
    {
        switch (key)
        {
            case PyInstance inst:
                return Ops.FindUserMethod(inst, "__hash__", out _);
            case PyTuple tuple:
                Errors.EnsureStack("while pickling a dict key");
                foreach (var item in tuple.Items)
                    if (NeedsScriptToHash(item)) return true;
                return false;
            default:
                return false;
        }
    }
}
