using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Workflow.Hosting.Tests;

/// <summary>Keeps what was logged, so a test can see that an error was reported rather than swallowed.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public readonly ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception)> Entries = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, formatter(state, exception), exception));

    public IEnumerable<string> At(LogLevel level) => Entries.Where(e => e.Level == level).Select(e => e.Message);
}

/// <summary>The real clock moved forward by [offset]: a worker that lives after other workers' leases expired.</summary>
internal sealed class ShiftedClock(TimeSpan offset) : TimeProvider
{
    /// <summary>How far ahead of the real clock this one runs; a test may move it while a worker runs.</summary>
    public TimeSpan Offset { get; set; } = offset;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
