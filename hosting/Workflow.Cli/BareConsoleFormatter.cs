using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Workflow.Cli;

/// <summary>`wf run`'s log format: the message alone, as a command-line tool prints a warning (a worker's logs carry level and time instead).</summary>
internal sealed class BareConsoleFormatter : ConsoleFormatter
{
    public BareConsoleFormatter() : base("bare") { }

    public override void Write<TState>(in LogEntry<TState> entry, IExternalScopeProvider? scopes, TextWriter writer)
    {
        writer.WriteLine(entry.Formatter(entry.State, entry.Exception));
        if (entry.Exception != null) writer.WriteLine(entry.Exception);
    }
}
