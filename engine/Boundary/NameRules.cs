using System.Globalization;
using System.Text;

namespace Workflow.Boundary;

/// <summary>The kinds of names clients and workflows give, each with its own extra rule (see <see cref="NameRules"/>).</summary>
internal enum NameKind
{
    /// <summary>An instance id a client chooses at start (<c>wf start --id</c>, <c>POST /api/instances {id}</c>).</summary>
    InstanceId,
    /// <summary>A program's name: deployed under it, started by it, named by <c>child()</c>.</summary>
    Workflow,
    /// <summary>A module deployed with a program (<c>POST /api/programs {modules}</c>).</summary>
    Module,
    /// <summary>A signal's name: sent by a client, waited for with <c>signal()</c>.</summary>
    Signal,
}

/// <summary>
/// The one rule set for ids and names that come from outside (REST, <c>wf</c>, and a workflow's own
/// <c>signal()</c> and <c>child()</c> calls). Every name:
/// <list type="bullet">
/// <item>has 1 to <see cref="MaxLength"/> characters (code points);</item>
/// <item>is Unicode text: no lone surrogate (half a UTF-16 pair; the database would store U+FFFD
/// instead, so two ids that differ only there would collide);</item>
/// <item>has no control character (Cc), no format character (Cf: the bidirectional overrides and
/// isolates U+202A–U+202E and U+2066–U+2069, the zero-width characters U+200B–U+200D, U+FEFF, …)
/// and no line or paragraph separator (Zl, Zp): they make a name show as another one, or
/// break the log line it is written in;</item>
/// <item>is in Unicode normalization form C (NFC). A name that is not is refused, not normalized: the
/// id a client gets back is always the id it sent, and two spellings of one name cannot become two
/// instances or two signals.</item>
/// </list>
/// Then each kind adds its own: an instance id has no '.' and no '/', a signal name no '/', a
/// workflow name only ASCII letters, digits, '_', '-' and '.'. A refusal names the rule and the
/// position of the first offending character.
/// </summary>
internal static class NameRules
{
    /// <summary>The longest name, in characters (code points).</summary>
    public const int MaxLength = 200;

    /// <summary>Throws InvalidNameException when [name] breaks a rule for [kind].</summary>
    public static void Check(string name, NameKind kind)
    {
        if (Problem(name, kind) is { } problem) throw new InvalidNameException(kind, problem);
    }

    /// <summary>What is wrong with [name] as a [kind], in one sentence that quotes it; null when nothing is.</summary>
    public static string? Problem(string name, NameKind kind)
    {
        var what = $"{Label(kind)} {Quote(name)}";
        if (name.Length == 0) return $"{Label(kind)} cannot be empty";
        var codePoints = new List<int>(name.Length);
        for (int i = 0; i < name.Length; i++)
        {
            int position = codePoints.Count + 1;
            if (codePoints.Count == MaxLength)
                return $"{what} is too long: it has more than {MaxLength} characters, the most a name may have";
            char c = name[i];
            int codePoint;
            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
                codePoint = char.ConvertToUtf32(c, name[++i]);
            else if (char.IsSurrogate(c))
                return $"{what}: character {position} is a lone surrogate (U+{(int)c:X4}), half of a UTF-16 pair and not text; the database would store U+FFFD in its place";
            else
                codePoint = c;
            if (CharacterProblem(codePoint, kind) is { } problem)
                return $"{what}: character {position} is {problem}";
            codePoints.Add(codePoint);
        }
        int notNfc = Nfc.FirstNotNormalized(codePoints.ToArray());
        if (notNfc > 0)
            return $"{what} is not in Unicode normalization form C (NFC) from character {notNfc} (U+{codePoints[notNfc - 1]:X4}) on; send its NFC form";
        return null;
    }

    /// <summary>Why [c] cannot be in a [kind], or null when it can.</summary>
    private static string? CharacterProblem(int c, NameKind kind)
    {
        switch (CharUnicodeInfo.GetUnicodeCategory(c))
        {
            case UnicodeCategory.Control:
                return $"U+{c:X4}, a control character (Unicode category Cc)";
            case UnicodeCategory.Format:
                return $"U+{c:X4}, a format character (Unicode category Cf: bidirectional controls, zero-width characters and the like change how text displays while staying unseen)";
            case UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator:
                return $"U+{c:X4}, a line or paragraph separator";
        }
        return kind switch
        {
            NameKind.InstanceId when c == '.' => "'.': an instance id cannot contain '.' (child instances are named <parent id>.<n>)",
            NameKind.InstanceId when c == '/' => "'/': an instance id cannot contain '/' (the REST API names an instance in its path)",
            NameKind.Signal when c == '/' => "'/': a signal name cannot contain '/' (the REST API names a signal in its path)",
            NameKind.Workflow when !(c < 0x80 && char.IsAsciiLetterOrDigit((char)c) || c is '_' or '-' or '.') =>
                $"{Show(c)}; a workflow name is made of ASCII letters, digits, '_', '-' and '.'",
            _ => null,
        };
    }

    private static string Label(NameKind kind) => kind switch
    {
        NameKind.InstanceId => "instance id",
        NameKind.Workflow => "workflow name",
        NameKind.Module => "module name",
        _ => "signal name",
    };

    private static string Show(int c) => c is > 0x20 and < 0x7F ? $"'{(char)c}'" : $"U+{c:X4}";

    /// <summary>
    /// [name] in single quotes, with everything but printable ASCII written as \uXXXX, so that the
    /// message shows what was sent (a bidi override would otherwise reorder the message itself) and
    /// cut after 60 characters.
    /// </summary>
    private static string Quote(string name)
    {
        var quoted = new StringBuilder("'");
        foreach (char c in name.Length > 60 ? name[..60] : name)
        {
            if (c is >= ' ' and < (char)0x7F and not '\\' and not '\'') quoted.Append(c);
            else quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
        }
        return quoted.Append(name.Length > 60 ? "…'" : "'").ToString();
    }
}
