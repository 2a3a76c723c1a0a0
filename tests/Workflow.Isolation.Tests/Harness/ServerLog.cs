using System.Text;

namespace Workflow.Isolation.Tests.Harness;

/// <summary>One line the server wrote: its length in characters, and only its two ends.</summary>
/// <param name="Head">The line's first <see cref="ServerLog.KeptEnd"/> characters (all of it when it is short).</param>
/// <param name="Tail">The line's last <see cref="ServerLog.KeptEnd"/> characters, empty when the head holds the whole line.</param>
internal sealed record ServerLogLine(string Stream, long Length, string Head, string Tail)
{
    public bool Contains(string text) => Head.Contains(text, StringComparison.Ordinal) || Tail.Contains(text, StringComparison.Ordinal);

    public override string ToString() => Tail.Length == 0 ? $"{Stream}: {Head}" : $"{Stream}: {Head} …[{Length:N0} chars]… {Tail}";
}

/// <summary>
/// What the server writes on stdout and stderr, read line by line on two threads. A hostile workflow
/// may print a hundred megabytes in one log line, so the length of each line is counted but only its
/// two ends are kept: the test process's memory stays small whatever the server writes.
/// </summary>
internal sealed class ServerLog
{
    /// <summary>How many characters of each end of a line are kept (the instance id is at the start, a truncation note at the end).</summary>
    public const int KeptEnd = 2_000;

    private readonly List<ServerLogLine> _lines = new();
    private readonly List<Thread> _readers = new();

    /// <summary>Reads [reader] to its end on a background thread, naming its lines [stream].</summary>
    public void Follow(TextReader reader, string stream)
    {
        var thread = new Thread(() => ReadLines(reader, stream)) { IsBackground = true, Name = $"wf serve {stream}" };
        _readers.Add(thread);
        thread.Start();
    }

    /// <summary>Waits until every followed stream has ended (the process closed it), at most [timeout].</summary>
    public void WaitForEnd(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        foreach (var thread in _readers) thread.Join(Max(deadline - DateTime.UtcNow, TimeSpan.Zero));
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    public IReadOnlyList<ServerLogLine> Lines
    {
        get { lock (_lines) return _lines.ToArray(); }
    }

    /// <summary>Waits for a line containing [text]; null when none came within [timeout] or [stop] said to give up.</summary>
    public ServerLogLine? WaitForLine(string text, TimeSpan timeout, Func<bool> stop) => WaitForLine(l => l.Contains(text), timeout, stop);

    /// <summary>Waits for a line that [matches]; null when none came within [timeout] or [stop] said to give up.</summary>
    public ServerLogLine? WaitForLine(Func<ServerLogLine, bool> matches, TimeSpan timeout, Func<bool> stop)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_lines)
        {
            for (int seen = 0; ; )
            {
                for (; seen < _lines.Count; seen++)
                    if (matches(_lines[seen])) return _lines[seen];
                if (DateTime.UtcNow > deadline || stop()) return null;
                Monitor.Wait(_lines, TimeSpan.FromMilliseconds(100));
            }
        }
    }

    /// <summary>The last [count] lines, one per line, for failure messages.</summary>
    public string Tail(int count = 40)
    {
        var lines = Lines;
        return string.Join("\n", lines.Skip(Math.Max(0, lines.Count - count)).Select(l => Shorten(l.ToString(), 600)));
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max / 2)] + " … " + text[^(max / 2)..];

    private void ReadLines(TextReader reader, string stream)
    {
        var buffer = new char[64 * 1024];
        var head = new StringBuilder();
        // The tail of a long line is a ring: [tailStart] is where its oldest character is.
        var tail = new char[KeptEnd];
        int tailCount = 0, tailStart = 0;
        long length = 0;
        bool afterCarriageReturn = false;
        try
        {
            int read;
            while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
            {
                for (int i = 0; i < read; i++)
                {
                    var c = buffer[i];
                    if (c == '\n')
                    {
                        End();
                        continue;
                    }
                    if (afterCarriageReturn) Keep('\r');
                    afterCarriageReturn = c == '\r';
                    if (!afterCarriageReturn) Keep(c);
                }
            }
            if (length > 0 || head.Length > 0) End();
        }
        catch (IOException)
        {
            // The pipe broke because the process was killed: what was read is kept.
        }
        catch (ObjectDisposedException)
        {
        }

        void Keep(char c)
        {
            length++;
            if (head.Length < KeptEnd)
            {
                head.Append(c);
                return;
            }
            if (tailCount < KeptEnd) tail[(tailStart + tailCount++) % KeptEnd] = c;
            else
            {
                tail[tailStart] = c;
                tailStart = (tailStart + 1) % KeptEnd;
            }
        }

        void End()
        {
            var kept = new StringBuilder(tailCount);
            for (int k = 0; k < tailCount; k++) kept.Append(tail[(tailStart + k) % KeptEnd]);
            var line = new ServerLogLine(stream, length, head.ToString(), kept.ToString());
            lock (_lines)
            {
                _lines.Add(line);
                Monitor.PulseAll(_lines);
            }
            head.Clear();
            tailCount = tailStart = 0;
            length = 0;
            afterCarriageReturn = false;
        }
    }
}
