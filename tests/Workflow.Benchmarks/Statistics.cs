namespace Workflow.Benchmarks;

internal static class Statistics
{
    /// <summary>The middle value of [values], or the mean of the two middle ones when their count is even.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
