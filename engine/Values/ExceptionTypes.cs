namespace Workflow.Values;

/// <summary>The built-in exception classes, with CPython's hierarchy, plus the stackless ones.</summary>
internal static class ExceptionTypes
{
    public static readonly PyClass BaseException = new("BaseException", BuiltinTypes.Object, isException: true);
    public static readonly PyClass Exception = new("Exception", BaseException);
    public static readonly PyClass ArithmeticError = new("ArithmeticError", Exception);
    public static readonly PyClass ZeroDivisionError = new("ZeroDivisionError", ArithmeticError);
    public static readonly PyClass OverflowError = new("OverflowError", ArithmeticError);
    public static readonly PyClass LookupError = new("LookupError", Exception);
    public static readonly PyClass KeyError = new("KeyError", LookupError);
    public static readonly PyClass IndexError = new("IndexError", LookupError);
    public static readonly PyClass ValueError = new("ValueError", Exception);
    public static readonly PyClass TypeError = new("TypeError", Exception);
    public static readonly PyClass AttributeError = new("AttributeError", Exception);
    public static readonly PyClass NameError = new("NameError", Exception);
    public static readonly PyClass UnboundLocalError = new("UnboundLocalError", NameError);
    public static readonly PyClass RuntimeError = new("RuntimeError", Exception);
    public static readonly PyClass NotImplementedError = new("NotImplementedError", RuntimeError);
    public static readonly PyClass RecursionError = new("RecursionError", RuntimeError);
    public static readonly PyClass MemoryError = new("MemoryError", Exception);
    public static readonly PyClass StopIteration = new("StopIteration", Exception);
    public static readonly PyClass AssertionError = new("AssertionError", Exception);
    public static readonly PyClass ImportError = new("ImportError", Exception);
    public static readonly PyClass ModuleNotFoundError = new("ModuleNotFoundError", ImportError);
    /// <summary>Raised inside a generator at its yield when it is closed (a `for` loop that owned it ended early).</summary>
    public static readonly PyClass GeneratorExit = new("GeneratorExit", BaseException);

    // The stackless additions.
    public static readonly PyClass ChannelClosedError = new("ChannelClosedError", Exception);
    public static readonly PyClass DeadlockError = new("DeadlockError", RuntimeError);
    public static readonly PyClass CancelledError = new("CancelledError", BaseException);
    public static readonly PyClass ActivityError = new("ActivityError", Exception);
    public static readonly PyClass ChildError = new("ChildError", Exception);

    static ExceptionTypes()
    {
        // BaseException.__init__ stores the constructor arguments, which str() and .args show.
        BaseException.NativeMethods = new Dictionary<string, NativeMethod>
        {
            ["__init__"] = (self, args, kwargs) =>
            {
                if (kwargs is { Count: > 0 }) throw Errors.TypeError($"{((PyException)self).Class.Name}() takes no keyword arguments");
                ((PyException)self).Args = new PyTuple(args);
                return PyNone.Value;
            },
        };
    }

    public static readonly PyClass[] All =
    {
        BaseException, Exception, ArithmeticError, ZeroDivisionError, OverflowError, LookupError,
        KeyError, IndexError, ValueError, TypeError, AttributeError, NameError, UnboundLocalError,
        RuntimeError, NotImplementedError, RecursionError, MemoryError, StopIteration, AssertionError,
        ImportError, ModuleNotFoundError, GeneratorExit, ChannelClosedError, DeadlockError, CancelledError, ActivityError, ChildError,
    };
}
