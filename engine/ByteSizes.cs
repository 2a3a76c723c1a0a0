namespace Workflow;

/// <summary>Byte counts as people read them in limits and errors: "16 MB", "2 MB", "512 KB" (binary units, as the limits are set).</summary>
internal static class ByteSizes
{
    public static string Describe(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.#} GB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.#} MB",
        >= 1L << 10 => $"{bytes / 1024.0:0.#} KB",
        _ => $"{bytes} bytes",
    };
}
