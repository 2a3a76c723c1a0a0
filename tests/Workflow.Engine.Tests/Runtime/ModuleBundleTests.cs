namespace Workflow.Tests.Runtime;

/// <summary>
/// `import m` finds m.wf beside the program. Load reads every module the program imports (and
/// theirs) into the program's bundle, which a deploy stores: workers then need no files.
/// </summary>
public class ModuleBundleTests
{
    private static string Write(DirectoryInfo dir, string name, string source)
    {
        var path = Path.Combine(dir.FullName, name);
        File.WriteAllText(path, source);
        return path;
    }

    [Fact]
    public void Load_bundles_the_imported_modules_transitively_and_runs_without_the_files()
    {
        var dir = Directory.CreateTempSubdirectory();
        var main = Write(dir, "orders.wf", "import pricing\nfrom tax import rate\ndef main(input):\n    return pricing.total(input) * rate\n");
        Write(dir, "pricing.wf", "import rounding\ndef total(xs):\n    return rounding.cents(sum(xs))\n");
        Write(dir, "tax.wf", "rate = 2\n");
        Write(dir, "rounding.wf", "def cents(x):\n    return round(x, 2)\n");
        Write(dir, "unrelated.wf", "this does not even compile (\n");

        var program = WorkflowProgram.Load(main);
        Assert.False(program.HasErrors, string.Join("\n", program.Diagnostics));
        Assert.Equal(new[] { "pricing", "rounding", "tax" }, program.Modules.Keys.Order());

        foreach (var f in dir.GetFiles()) f.Delete();
        var output = new StringWriter();
        var result = program.Run("[1.25, 2]", output);
        Assert.Equal("6.5", result.ResultJson);

        // A stored version compiles from the same bundle.
        var stored = WorkflowProgram.Compile(program.Source, "orders.wf", program.Modules);
        Assert.Equal(program.SourceHash, stored.SourceHash);
        Assert.Equal("6.5", stored.Run("[1.25, 2]", new StringWriter()).ResultJson);
    }

    [Fact]
    public void A_module_that_changes_changes_the_version_and_one_that_does_not_compile_is_an_error()
    {
        var dir = Directory.CreateTempSubdirectory();
        var main = Write(dir, "app.wf", "import lib\nprint(lib.x)\n");
        Write(dir, "lib.wf", "x = 1\n");
        var first = WorkflowProgram.Load(main);
        Write(dir, "lib.wf", "x = 2\n");
        var second = WorkflowProgram.Load(main);
        Assert.NotEqual(first.SourceHash, second.SourceHash);
        Assert.NotEqual(WorkflowProgram.Compile("import lib\nprint(lib.x)\n", "app.wf").SourceHash, first.SourceHash);

        Write(dir, "lib.wf", "x = (\n");
        var broken = WorkflowProgram.Load(main);
        Assert.True(broken.HasErrors);
        Assert.Contains(broken.Diagnostics, d => d.ToString().Contains("lib.wf"));
    }

    [Fact]
    public void A_program_without_imports_keeps_the_hash_of_its_source_alone()
    {
        var dir = Directory.CreateTempSubdirectory();
        var path = Write(dir, "solo.wf", "print('hi')\n");
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("print('hi')\n"u8.ToArray()));
        Assert.Equal(expected, WorkflowProgram.Load(path).SourceHash);
    }
}
