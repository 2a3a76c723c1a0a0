namespace Workflow.Values;

/// <summary>
/// The CLR exception that carries a script exception through C# code (built-ins, operators).
/// The interpreter catches it at the instruction that raised and unwinds script frames with
/// [Exception]; it never escapes the engine as is.
/// </summary>
internal sealed class ScriptError : Exception
{
    public readonly PyException Exception;

    public ScriptError(PyException exception) : base(null) => Exception = exception;

    public override string Message => $"{Exception.Class.Name}: {ExceptionText.Str(Exception)}";
}
