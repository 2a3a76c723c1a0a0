namespace Workflow.Persistence;

/// <summary>Times in the database are unix milliseconds (UTC); an Unspecified DateTime is taken as UTC.</summary>
internal static class UnixTime
{
    public static long Ms(DateTime time)
    {
        var utc = time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time;
        return (utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;
    }

    public static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static DateTime Time(long ms) => DateTime.UnixEpoch.AddTicks(ms * TimeSpan.TicksPerMillisecond);
}
