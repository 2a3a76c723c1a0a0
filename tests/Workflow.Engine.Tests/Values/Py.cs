using System.Globalization;
using System.Numerics;
using Workflow.Values;
using Workflow.Values.Numbers;
using Workflow.Values.Text;

namespace Workflow.Tests.Values;

/// <summary>Helpers for writing CPython's outputs into tests: exact doubles, big ints, raised errors, str method calls.</summary>
internal static class Py
{
    /// <summary>The double with the given IEEE bits, so that test data is exact whatever the literal parser does.</summary>
    public static double D(ulong bits) => BitConverter.Int64BitsToDouble((long)bits);

    /// <summary>A script int from its decimal digits.</summary>
    public static object Big(string digits) => IntOps.Normalize(BigInteger.Parse(digits, CultureInfo.InvariantCulture));

    /// <summary>Asserts that [action] raises the script exception [type] with str(e) == [message].</summary>
    public static void Raises(string type, string message, Action action)
    {
        var e = Assert.Throws<ScriptError>(action);
        Assert.Equal(type, e.Exception.Class.Name);
        Assert.Equal(message, ExceptionText.Str(e.Exception));
    }

    /// <summary>Calls the str method [name] on [self], as the interpreter would.</summary>
    public static object Call(string self, string name, params object[] args) => StrMethods.Table[name](self, args, null);

    /// <summary>Calls the str method [name] with keyword arguments.</summary>
    public static object CallKw(string self, string name, object[] args, Dictionary<string, object> kwargs) =>
        StrMethods.Table[name](self, args, kwargs);
}
