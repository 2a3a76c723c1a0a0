namespace Workflow.Values;

/// <summary>
/// Pre-boxed common values. Every script int is a boxed long, so reusing boxes for small ones
/// (as CPython caches -5..256) saves most of the allocations of counting loops.
/// </summary>
internal static class Boxes
{
    public static readonly object True = true;
    public static readonly object False = false;
    private const int Min = -256, Max = 1024;
    private static readonly object[] Small = CreateSmall();

    private static object[] CreateSmall()
    {
        var boxes = new object[Max - Min + 1];
        for (int i = 0; i < boxes.Length; i++) boxes[i] = (long)(i + Min);
        return boxes;
    }

    public static object Int(long v) => v >= Min && v <= Max ? Small[v - Min] : v;
    public static object Bool(bool b) => b ? True : False;
}
