using System.Text;
using Workflow.Values;

namespace Workflow.Runtime;

/// <summary>Formats an exception the way CPython prints an uncaught one, chained causes and contexts included.</summary>
internal static class Traceback
{
    /// <summary>Source lines by file, so tracebacks can quote the failing line as CPython does.</summary>
    public static Func<string, int, string?>? SourceLine;

    public static string Format(PyException error)
    {
        var sb = new StringBuilder();
        Append(sb, error, new HashSet<PyException>(ReferenceEqualityComparer.Instance));
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, PyException error, HashSet<PyException> seen)
    {
        // The chain of causes and contexts, newest first, walked without recursion: a raise-from
        // loop can make it as long as it likes. Each link says how it joins the one after it.
        var chain = new List<(PyException Exception, string? Link)>();
        for (var e = error; e != null;)
        {
            seen.Add(e);
            if (e.Cause != null && !seen.Contains(e.Cause))
            {
                chain.Add((e, "\nThe above exception was the direct cause of the following exception:\n\n"));
                e = e.Cause;
            }
            else if (e.Context != null && !e.SuppressContext && !seen.Contains(e.Context))
            {
                chain.Add((e, "\nDuring handling of the above exception, another exception occurred:\n\n"));
                e = e.Context;
            }
            else
            {
                chain.Add((e, null));
                e = null;
            }
        }
        for (int i = chain.Count - 1; i >= 0; i--)
        {
            AppendOne(sb, chain[i].Exception);
            if (i > 0) sb.Append(chain[i - 1].Link);
        }
    }

    private static void AppendOne(StringBuilder sb, PyException e)
    {
        if (e.Traceback.Count > 0)
        {
            sb.Append("Traceback (most recent call last):\n");
            // As CPython's traceback module: past three of the same (file, line, function) in a row, a
            // line counts the rest, so a RecursionError's traceback stays a few lines, not 100,000 frames.
            (string File, int Line, string Function)? last = null;
            int repeated = 0;
            // Entries were recorded innermost first, as the exception unwound.
            for (int i = e.Traceback.Count - 1; i >= 0; i--)
            {
                var entry = e.Traceback[i];
                // Built-ins written in script are built-ins to the user: CPython shows no frame for them either.
                if (entry.File == Builtins.Prelude.FileName) continue;
                var key = (entry.File, entry.Line, entry.Function);
                if (last != key)
                {
                    AppendRepeats(sb, repeated);
                    last = key;
                    repeated = 0;
                }
                if (++repeated > RecursiveCutoff) continue;
                sb.Append($"  File \"{entry.File}\", line {entry.Line}, in {entry.Function}\n");
                var line = SourceLine?.Invoke(entry.File, entry.Line);
                if (!string.IsNullOrWhiteSpace(line)) sb.Append("    ").Append(line.Trim()).Append('\n');
            }
            AppendRepeats(sb, repeated);
        }
        sb.Append(Summary(e)).Append('\n');
    }

    private const int RecursiveCutoff = 3;

    private static void AppendRepeats(StringBuilder sb, int repeated)
    {
        if (repeated <= RecursiveCutoff) return;
        int more = repeated - RecursiveCutoff;
        sb.Append($"  [Previous line repeated {more} more time{(more > 1 ? "s" : "")}]\n");
    }

    /// <summary>`ValueError: message`, or just the class name when the message is empty.</summary>
    public static string Summary(PyException e)
    {
        string text;
        try
        {
            text = Ops.Str(e);
        }
        catch (ScriptError)
        {
            // As CPython's traceback module does when str() of the exception raises.
            text = "<exception str() failed>";
        }
        // As CPython's traceback module: classes outside builtins and __main__ are named with their module.
        var name = e.Class.Dict.TryGetValue("__module__", out var module) && module is string m && m != "__main__" && m != "builtins"
            ? $"{m}.{e.Class.Name}"
            : e.Class.Name;
        return text.Length == 0 ? name : $"{name}: {text}";
    }
}
