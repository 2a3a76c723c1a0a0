using Workflow.Compiler;
using Workflow.Values;

namespace Workflow.Runtime;

internal sealed partial class Interpreter
{
    /// <summary>
    /// Propagates [error] raised in frame [f]: to the innermost handler of the frame, else pops the
    /// frame and tries its caller, recording a traceback line for each frame passed. Returns true
    /// when a handler was found (the loop goes on there), false when the tasklet died with the
    /// error. A nested run's boundary frame is as far as it goes: the error is thrown on to the C#
    /// caller.
    /// </summary>
    private bool Unwind(Tasklet t, ref Frame f, PyException error, bool addTraceback, Frame? boundary)
    {
        if (addTraceback)
        {
            if (error.Context == null && t.HandledException != null && t.HandledException != error)
                error.Context = t.HandledException;
            error.Traceback.Add(TracebackEntryFor(f));
        }
        while (true)
        {
            int h = f.Ip > 0 ? f.Code.HandlerOf[f.Ip - 1] : -1;
            if (h >= 0)
            {
                var handler = f.Code.Handlers[h];
                Array.Clear(f.Stack, handler.StackDepth, f.Sp > handler.StackDepth ? f.Sp - handler.StackDepth : 0);
                f.Sp = handler.StackDepth;
                f.Stack[f.Sp++] = error;
                f.Ip = handler.Target;
                t.Top = f;
                return true;
            }
            var parent = f.Parent;
            f.Parent = null;
            if (f.Generator != null)
            {
                f.Generator.Finished = true;
                f.Generator.Running = false;
                LeaveGenerator(t, f.Generator);
                if (error.Class.IsSubclassOf(ExceptionTypes.StopIteration))
                {
                    // PEP 479: a StopIteration escaping a generator body would silently end the caller's loop.
                    var wrapped = new PyException(ExceptionTypes.RuntimeError, PyTuple.Of("generator raised StopIteration")) { Cause = error, Context = error };
                    wrapped.Traceback.AddRange(error.Traceback);
                    error = wrapped;
                }
            }
            if (f == boundary)
            {
                t.Top = parent;
                throw new ScriptError(error);
            }
            if (f.ReturnKind == ReturnKind.Close && parent != null
                && (error.Class == ExceptionTypes.GeneratorExit || error.Class.IsSubclassOf(ExceptionTypes.Exception)))
            {
                // The closed generator let GeneratorExit through: closing succeeded; CloseIterator leaves
                // None. Any other error has nobody to go to (CPython's close from a reference count
                // reaching zero reports it as unraisable); only the BaseExceptions of the host
                // (a cancellation) go on unwinding.
                if (error.Class != ExceptionTypes.GeneratorExit) UnraisableException?.Invoke(t, error);
                parent.Stack[parent.Sp++] = PyNone.Value;
                t.Top = parent;
                return true;
            }
            if (f.ReturnKind == ReturnKind.ForIterNext && parent != null && error.Class.IsSubclassOf(ExceptionTypes.StopIteration))
            {
                // A user iterator is exhausted: its loop ends (or `yield from` gets the StopIteration value).
                var loop = parent.Code.Instructions[parent.Ip - 1];
                if ((OpCode)(loop & 0xFF) == OpCode.ForIterYieldFrom)
                    parent.Stack[parent.Sp - 1] = error.Args.Items.Length > 0 ? error.Args.Items[0] : PyNone.Value;
                else
                    parent.Stack[--parent.Sp] = null!;
                parent.Ip = loop >> 8;
                t.Top = parent;
                return true;
            }
            if (parent == null)
            {
                t.Top = null;
                FinishTasklet(t, null, error);
                return false;
            }
            f = parent;
            t.Top = f;
            error.Traceback.Add(TracebackEntryFor(f));
        }
    }

    private static TracebackEntry TracebackEntryFor(Frame f) => new(f.Code.FileName, f.CurrentLine, f.Code.Name);
}
