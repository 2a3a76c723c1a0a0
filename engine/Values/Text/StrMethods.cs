namespace Workflow.Values.Text;

/// <summary>The methods of str, by name, for the str type's method table.</summary>
internal static class StrMethods
{
    public static readonly Dictionary<string, NativeMethod> Table = new();
}
