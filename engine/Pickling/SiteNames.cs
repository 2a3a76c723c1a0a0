using Workflow.Compiler;

namespace Workflow.Pickling;

/// <summary>
/// How a format-2 pickle spells a resume site: "kind#n" (ResumeSite.Name), with "#0" left out at
/// its default, so the first site of a kind, by far the commonest, is its kind alone ("call" is
/// "call#0"). The reader takes both spellings: pickles written before the short one hold "call#0".
/// </summary>
internal static class SiteNames
{
    /// <summary>The site's name as the pickle writes it.</summary>
    public static string Write(ResumeSite site) => site.Ordinal == 0 ? SiteKinds.Name(site.Kind) : site.Name;

    /// <summary>The kind and ordinal [name] spells ("call", "call#0", "call#2"), or false when it spells none.</summary>
    public static bool TryParse(string name, out SiteKind kind, out int ordinal)
    {
        int hash = name.IndexOf('#');
        ordinal = 0;
        kind = SiteKinds.Parse(hash < 0 ? name : name[..hash]);
        if (kind == SiteKind.None) return false;
        return hash < 0 || int.TryParse(name.AsSpan(hash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ordinal);
    }
}
