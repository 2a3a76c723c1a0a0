namespace Workflow.Tests.Conformance;

/// <summary>Finds the conformance corpus (tests/conformance) from the test binaries' folder.</summary>
internal static class Corpus
{
    public static readonly string Root = FindRepositoryRoot();

    public static string Directory => Path.Combine(Root, "tests", "conformance");

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Workflow.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find Workflow.sln above " + AppContext.BaseDirectory);
    }

    /// <summary>Every program under tests/conformance/[folder], as paths relative to the corpus.</summary>
    public static IEnumerable<object[]> Programs(string folder) =>
        System.IO.Directory.EnumerateFiles(Path.Combine(Directory, folder), "*.wf", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Directory, p).Replace('\\', '/'))
            .Where(p => !p.Contains("/_")) // helper modules imported by a program start with '_'
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => new object[] { p });
}
