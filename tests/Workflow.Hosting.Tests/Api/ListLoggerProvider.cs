using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Workflow.Hosting.Tests.Api;

/// <summary>Collects a host's whole log (every category), so a test can check that no error was logged.</summary>
internal sealed class ListLoggerProvider : ILoggerProvider
{
    public readonly ConcurrentQueue<(string Category, LogLevel Level, string Message, Exception? Exception)> Entries = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(ListLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Entries.Enqueue((category, logLevel, formatter(state, exception), exception));
    }
}
