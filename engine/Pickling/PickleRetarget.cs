using System.Text;
using Workflow.Runtime;

namespace Workflow.Pickling;

/// <summary>
/// Moves a pickle onto another version of its program (a fork onto a new version): the pickle names
/// its functions by qualified name, its resume sites by kind and ordinal, and its variables by name,
/// so it resumes on any version where those all exist as they did. The check is the unpickler's
/// own: the pickle is loaded against the new version, and whatever does not match (a function gone,
/// a resume site the new code lacks, a variable it no longer has live there) is the report.
/// </summary>
internal static class PickleRetarget
{
    /// <summary>
    /// [pickle], written by [source], as written by [target]; throws ArgumentException saying what
    /// does not match when it cannot resume there.
    /// </summary>
    /// <remarks>
    /// The unpickler's checks alone would let a frame resume at a site that has the same name in the
    /// new version but a different place in the code (an await added before it renumbers the rest);
    /// so each frame's function must also have the same resume sites, up to the frame's own, in both
    /// versions: same kinds in the same order, each with the same live variables and stack depth.
    /// </remarks>
    public static byte[] Retarget(byte[] pickle, WorkflowProgram source, WorkflowProgram target)
    {
        var fromHash = source.SourceHash;
        if (target.HasErrors)
            throw new ArgumentException($"version {target.SourceHash} does not compile:\n{string.Join("\n", target.Diagnostics)}");
        // The pickler writes the format and the program first: {"format":N,"program":"<hash>",…
        var text = Encoding.UTF8.GetString(pickle, 0, Math.Min(pickle.Length, 128));
        var key = $",\"program\":\"{fromHash}\"";
        int at = text.IndexOf(key, StringComparison.Ordinal);
        if (!text.StartsWith("{\"format\":", StringComparison.Ordinal) || at < 0 || text[..at].Contains(','))
            throw new ArgumentException($"the pickle does not start as one program {fromHash} wrote");
        var moved = (byte[])pickle.Clone();
        var hash = Encoding.ASCII.GetBytes(target.SourceHash);
        int start = Encoding.UTF8.GetByteCount(text[..at]) + ",\"program\":\"".Length;
        if (hash.Length != fromHash.Length) throw new ArgumentException($"'{target.SourceHash}' is not a program version's hash");
        hash.CopyTo(moved, start);
        try
        {
            Unpickler.Unpickle(moved, target.ProgramCode, TextWriter.Null, new InterpreterOptions());
        }
        catch (PickleException e)
        {
            throw new ArgumentException($"the state does not resume on version {target.SourceHash[..12]}: its resume sites do not match: {e.Message}", e);
        }
        foreach (var (module, function, site) in FramesOf(pickle))
            if (SitesDiffer(source.ProgramCode.Function(module, function), target.ProgramCode.Function(module, function), site) is { } why)
                throw new ArgumentException($"the state does not resume on version {target.SourceHash[..12]}: its resume sites do not match: {function}: {why}");
        return moved;
    }

    /// <summary>Every frame the pickle holds (tasklets' and generators'), as (module, function, site).</summary>
    private static IEnumerable<(string Module, string Function, string Site)> FramesOf(byte[] pickle)
    {
        using var reader = new Newtonsoft.Json.JsonTextReader(new StreamReader(new MemoryStream(pickle), Encoding.UTF8))
        {
            DateParseHandling = Newtonsoft.Json.DateParseHandling.None,
            MaxDepth = null,
        };
        var root = Newtonsoft.Json.Linq.JToken.ReadFrom(reader);
        // Tasklets list their frames; a generator's frame is in its heap entry.
        foreach (var frame in root.SelectTokens("$..frames[*]").Concat(root.SelectTokens("$..frame")).OfType<Newtonsoft.Json.Linq.JObject>())
            if (frame["function"]?.Type == Newtonsoft.Json.Linq.JTokenType.String && frame["site"]?.Type == Newtonsoft.Json.Linq.JTokenType.String)
                yield return ((string?)frame["module"] ?? "__main__", (string)frame["function"]!, (string)frame["site"]!);
    }

    /// <summary>Why [after]'s resume sites up to [site] are not [before]'s, or null when they match.</summary>
    private static string? SitesDiffer(Compiler.CodeObject? before, Compiler.CodeObject? after, string site)
    {
        if (before == null || after == null) return "the function is not in both versions";
        if (site == "entry")
            return before.LiveAtEntry.Order().SequenceEqual(after.LiveAtEntry.Order()) ? null : "its parameters differ";
        if (!SiteNames.TryParse(site, out var kind, out var ordinal)) return $"'{site}' is not a resume site";
        var target = before.ResumeSiteNamed(kind, ordinal);
        if (target == null) return $"the old version has no resume site {site}";
        for (int i = 0; i <= target.Index; i++)
        {
            if (i >= after.ResumeSites.Length) return $"the new version has no resume site {before.ResumeSites[i].Name}";
            var (old, now) = (before.ResumeSites[i], after.ResumeSites[i]);
            if (old.Name != now.Name) return $"its resume site {i + 1} is {now.Name} in the new version, {old.Name} in the old (line {now.Line} against {old.Line})";
            if (!old.LiveLocals.Order().SequenceEqual(now.LiveLocals.Order()) || old.StackDepth != now.StackDepth)
                return $"the variables live at {old.Name} (line {old.Line}) differ: {string.Join(", ", old.LiveLocals)} against {string.Join(", ", now.LiveLocals)}";
        }
        return null;
    }
}
