using Workflow.Values;

namespace Workflow.Runtime;

/// <summary>Iterates an object that has __getitem__ but no __iter__: index 0, 1, 2… until IndexError, as CPython does.</summary>
internal sealed class SequenceIterator : PyIterator
{
    public readonly PyInstance Target;
    public long Index;

    public SequenceIterator(PyInstance target) => Target = target;

    public override string TypeName => "iterator";

    public override bool MoveNext(out object value)
    {
        value = null!;
        if (Index < 0) return false;
        try
        {
            value = Ops.GetItem(Target, Boxes.Int(Index));
            Index++;
            return true;
        }
        catch (ScriptError e) when (e.Exception.Class.IsSubclassOf(ExceptionTypes.IndexError) || e.Exception.Class.IsSubclassOf(ExceptionTypes.StopIteration))
        {
            Index = -1;
            return false;
        }
    }
}
