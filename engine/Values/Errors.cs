namespace Workflow.Values;

/// <summary>
/// Factories for the script exceptions that C# code raises: `throw Errors.TypeError("…")`.
/// Messages follow CPython's wording so that programs print the same text.
/// </summary>
internal static class Errors
{
    public static ScriptError New(PyClass cls, string message) => new(new PyException(cls, PyTuple.Of(message)));

    public static ScriptError TypeError(string message) => New(ExceptionTypes.TypeError, message);
    public static ScriptError ValueError(string message) => New(ExceptionTypes.ValueError, message);
    public static ScriptError IndexError(string message) => New(ExceptionTypes.IndexError, message);
    public static ScriptError ZeroDivisionError(string message) => New(ExceptionTypes.ZeroDivisionError, message);
    public static ScriptError OverflowError(string message) => New(ExceptionTypes.OverflowError, message);
    public static ScriptError AttributeError(string message) => New(ExceptionTypes.AttributeError, message);
    public static ScriptError NameError(string message) => New(ExceptionTypes.NameError, message);
    public static ScriptError RuntimeError(string message) => New(ExceptionTypes.RuntimeError, message);
    public static ScriptError NotImplementedError(string message) => New(ExceptionTypes.NotImplementedError, message);
    public static ScriptError AssertionError(string message) => New(ExceptionTypes.AssertionError, message);

    /// <summary>
    /// Fails with RecursionError when the native stack is nearly used up. C# code that recurses on
    /// script data (repr of nested lists, __eq__ calling __eq__, nested interpreter loops) calls this
    /// first, so that deep data fails the script instead of killing the process.
    /// </summary>
    public static void EnsureStack(string what)
    {
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw New(ExceptionTypes.RecursionError, $"maximum recursion depth exceeded {what}");
    }

    /// <summary>KeyError carries the key itself; str() of it shows the key's repr.</summary>
    public static ScriptError KeyError(object key) => new(new PyException(ExceptionTypes.KeyError, PyTuple.Of(key)));

    public static ScriptError StopIteration(object? value = null) =>
        new(new PyException(ExceptionTypes.StopIteration, value == null ? PyTuple.Empty : PyTuple.Of(value)));

}
