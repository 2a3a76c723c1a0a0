using Workflow.Pickling;
using Workflow.Runtime;
using Workflow.Values;

namespace Workflow.Benchmarks;

/// <summary>
/// A benchmark program run until every tasklet waits on an outside signal: the VM is then at rest,
/// the state a worker pickles at the end of a turn. The program's `# resume: NAME JSON` lines are
/// the signals that finish it, used to check that a snapshot resumes from its pickle exactly as the
/// live VM would.
/// </summary>
internal sealed class Snapshot
{
    public string Name { get; }
    public ProgramCode Code { get; }
    private readonly List<(string Signal, string PayloadJson)> _resumes;

    private Snapshot(string name, ProgramCode code, List<(string, string)> resumes)
    {
        Name = name;
        Code = code;
        _resumes = resumes;
    }

    public static Snapshot Load(string file)
    {
        var source = File.ReadAllText(file);
        var program = WorkflowProgram.Compile(source, Path.GetFileName(file));
        if (program.HasErrors) throw new InvalidOperationException(string.Join("\n", program.Diagnostics));
        var resumes = new List<(string, string)>();
        foreach (var line in source.Split('\n'))
        {
            if (!line.StartsWith("# resume: ", StringComparison.Ordinal)) continue;
            var rest = line["# resume: ".Length..].Trim();
            var space = rest.IndexOf(' ');
            resumes.Add((rest[..space], rest[(space + 1)..]));
        }
        if (resumes.Count == 0) throw new InvalidOperationException($"{file} has no '# resume: NAME JSON' line");
        return new Snapshot(Path.GetFileNameWithoutExtension(file), program.ProgramCode, resumes);
    }

    /// <summary>A fresh VM that has run the program up to its resting point, writing to [output].</summary>
    public Interpreter Start(TextWriter output)
    {
        var vm = new Interpreter(output, null, Code.ModuleSource);
        vm.Start(Code.Main, PyNone.Value);
        var outcome = vm.Continue();
        if (outcome?.Status != ProgramStatus.Waiting)
            throw new InvalidOperationException($"{Name}: expected every tasklet to wait on a signal, got {outcome?.Status}: {outcome?.ErrorText}");
        return vm;
    }

    public byte[] Pickle(Interpreter vm, bool allLocals = false) => Pickler.Pickle(vm, Code.Hash, allLocals);

    public Interpreter Unpickle(byte[] pickle, TextWriter output) => Unpickler.Unpickle(pickle, Code, output, null);

    /// <summary>
    /// Checks that [pickle] (of a VM at rest) loses nothing: unpickled and pickled again it gives the
    /// same bytes, and resumed with the program's signals it prints and returns what the live VM does.
    /// Dead locals dropped by liveness are thereby shown to be really dead.
    /// </summary>
    public void Verify()
    {
        var liveOutput = new StringWriter();
        var live = Start(liveOutput);
        var pickle = Pickle(live);
        var before = liveOutput.ToString().Length;
        var expected = Resume(live);
        var expectedOutput = liveOutput.ToString()[before..];

        var restoredOutput = new StringWriter();
        var restored = Unpickle(pickle, restoredOutput);
        if (!Pickle(restored).AsSpan().SequenceEqual(pickle))
            throw new InvalidOperationException($"{Name}: the pickle does not survive a round trip");
        var actual = Resume(restored);
        if (actual != expected || restoredOutput.ToString() != expectedOutput)
            throw new InvalidOperationException($"{Name}: resumed from its pickle it gives {actual} and prints '{restoredOutput}', the live VM {expected} and '{expectedOutput}'");
    }

    /// <summary>Delivers the program's signals (later ones queue until asked for) and runs it to the end; returns the result as JSON.</summary>
    private string Resume(Interpreter vm)
    {
        foreach (var (signal, payload) in _resumes) vm.DeliverSignal(signal, JsonValues.Parse(payload));
        var outcome = vm.Continue();
        if (outcome?.Status != ProgramStatus.Completed)
            throw new InvalidOperationException($"{Name}: resumed with its signals it ends {outcome?.Status}: {outcome?.ErrorText}");
        return JsonValues.Dumps(outcome.Result!);
    }
}
