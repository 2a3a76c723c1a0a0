namespace Workflow.Values.Numbers;

/// <summary>Converting numbers to and from text exactly as CPython does.</summary>
internal static class NumberText
{
    /// <summary>repr(float) == str(float): shortest round-trip digits; '1e+16', '1.5e-05', '0.1', '100.0', 'inf', '-inf', 'nan', '-0.0'.</summary>
    public static string FloatRepr(double d) => throw new NotImplementedException();
    /// <summary>int(text, base): whitespace, sign, '_' separators, base prefixes when base is 0 or matches; ValueError "invalid literal for int() with base 10: 'x'" (the repr of the text).</summary>
    public static object ParseInt(string text, int @base) => throw new NotImplementedException();
    /// <summary>float(text): 'inf', '-Infinity', 'nan', '1e5', ' 2.5 ', '1_000.5'; ValueError "could not convert string to float: 'x'".</summary>
    public static double ParseFloat(string text) => throw new NotImplementedException();
}
