namespace Workflow.Values;

/// <summary>
/// A method of a built-in type implemented in C#, such as str.split: [self] is the receiver,
/// [args] the positional arguments, [kwargs] the keyword arguments or null when there are none.
/// It returns a script value (never null: None is PyNone.Value) or throws a ScriptError.
/// </summary>
internal delegate object NativeMethod(object self, object[] args, Dictionary<string, object>? kwargs);
