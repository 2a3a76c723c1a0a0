namespace Workflow.Pickling;

/// <summary>
/// The JSON shapes a pickle is read with: each helper takes the token where a value should be and
/// returns it, or refuses the pickle with a PickleException naming the token's path.
/// </summary>
internal static class PickleRead
{
    public static PickleException Bad(PNode token, string message) => new(token.Path, message);

    public static PNode Required(PObject o, string name) => o[name] ?? throw Bad(o, $"missing \"{name}\"");

    public static PObject Obj(PNode? t) => t as PObject ?? throw Bad(t!, "expected a JSON object");
    public static PArray Arr(PNode t) => t as PArray ?? throw Bad(t, "expected a JSON array");

    public static string Str(PNode t) => t.Type == PickleJsonType.String ? (string)t! : throw Bad(t, "expected a string");

    public static bool Bool(PNode t) => t.Type == PickleJsonType.Boolean ? (bool)t : throw Bad(t, "expected true or false");

    public static bool OptionalBool(PObject o, string name) => o[name] is { } t && Bool(t);

    public static long Long(PNode t, long min)
    {
        if (t.Type != PickleJsonType.Integer || ((PValue)t).Value is not long value) throw Bad(t, "expected an integer that fits 64 bits");
        if (value < min) throw Bad(t, $"expected an integer of at least {min}");
        return value;
    }

    public static int Int(PNode t, int min, int max)
    {
        if (t.Type != PickleJsonType.Integer || ((PValue)t).Value is not long value || value < min || value > max)
            throw Bad(t, max == int.MaxValue ? $"expected an integer of at least {min}" : $"expected an integer from {min} to {max}");
        return (int)value;
    }

    /// <summary>
    /// Json.NET's metadata keys ($type, $id, $ref, $values) are never in a pickle, which is read
    /// without TypeNameHandling; one in the pickle's own structure (not in a map of script names,
    /// where setattr can make any string a key) means the pickle was forged to name a .NET type.
    /// </summary>
    public static void NoTypeMetadata(PObject o)
    {
        foreach (var (name, value) in o)
            if (name.StartsWith('$')) throw Bad(value ?? o, $"\"{name}\" names a .NET type or object, which a pickle never does");
    }
}
