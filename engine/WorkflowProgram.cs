using Workflow.Compiler;
using Workflow.Runtime;
using Workflow.Syntax;
using Workflow.Values;

namespace Workflow;

/// <summary>What a run of a program produced.</summary>
public sealed class RunResult
{
    public required ProgramStatus Status { get; init; }
    /// <summary>main's return value as JSON, or null when it returned None (or there is no main).</summary>
    public string? ResultJson { get; init; }
    /// <summary>The failure's traceback in CPython's layout.</summary>
    public string? ErrorText { get; init; }
    /// <summary>The failure's last line: `ValueError: bad input`.</summary>
    public string? ErrorSummary { get; init; }
    /// <summary>When the instance waits (Status Waiting): its pickle, to store and resume later.</summary>
    public byte[]? Pickle { get; init; }
}

/// <summary>
/// A compiled .wf program: its main module, compiled now, and the modules it imports, found beside
/// it and compiled when imported. Compile errors are collected in Diagnostics, never thrown.
/// </summary>
public sealed class WorkflowProgram
{
    internal CodeObject? Code { get; }
    private readonly IModuleSource? _modules;
    private readonly bool _moduleErrors;
    private Pickling.ProgramCode? _programCode;

    /// <summary>
    /// The SHA-256 of the source (and of the imported modules' sources, when it has any), in hex: a
    /// program version's identity, which pickles name.
    /// </summary>
    public string SourceHash { get; }

    public string FileName { get; }
    public string Source { get; }
    /// <summary>The sources of the modules the program imports (module name → source), stored with each version so that workers need no files.</summary>
    public IReadOnlyDictionary<string, string> Modules { get; }
    public IReadOnlyList<Diagnostic> Diagnostics { get; }
    public bool HasErrors => Code == null || _moduleErrors;

    private WorkflowProgram(string fileName, string source, CodeObject? code, List<Diagnostic> diagnostics, IModuleSource? modules,
        IReadOnlyDictionary<string, string> bundled, bool moduleErrors)
    {
        FileName = fileName;
        Source = source;
        Modules = bundled;
        SourceHash = Hash(source, bundled);
        Code = code;
        Diagnostics = diagnostics;
        _modules = modules;
        _moduleErrors = moduleErrors;
    }

    private static readonly IReadOnlyDictionary<string, string> NoModules = new Dictionary<string, string>();

    /// <summary>Compiles [source]; `import m` finds m.wf in [moduleDirectory] when one is given (read when imported).</summary>
    public static WorkflowProgram Compile(string source, string fileName, string? moduleDirectory = null)
    {
        var diagnostics = new List<Diagnostic>();
        var code = CompileMain(source, fileName, diagnostics);
        return new WorkflowProgram(fileName, source, code, diagnostics, moduleDirectory == null ? null : new FileModuleSource(moduleDirectory), NoModules, false);
    }

    /// <summary>Compiles a deployed version: [source] and the sources of the modules it imports, as stored together.</summary>
    public static WorkflowProgram Compile(string source, string fileName, IReadOnlyDictionary<string, string> modules)
    {
        var diagnostics = new List<Diagnostic>();
        var code = CompileMain(source, fileName, diagnostics);
        return new WorkflowProgram(fileName, source, code, diagnostics, modules.Count == 0 ? null : new BundledModuleSource(modules), modules, false);
    }

    /// <summary>
    /// Reads and compiles the program at [path] with the modules it imports from its directory
    /// (found by following its `import` statements, then theirs): the bundle a deploy stores.
    /// A module that does not compile makes the program HasErrors, with the module's diagnostics.
    /// </summary>
    public static WorkflowProgram Load(string path)
    {
        var source = File.ReadAllText(path);
        var diagnostics = new List<Diagnostic>();
        var code = CompileMain(source, path, diagnostics);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var modules = new SortedDictionary<string, string>(StringComparer.Ordinal);
        bool moduleErrors = false;
        var pending = new Queue<CodeObject>();
        if (code != null) pending.Enqueue(code);
        while (pending.Count > 0)
        {
            foreach (var name in ImportedNames(pending.Dequeue()))
            {
                var modulePath = Path.Combine(directory, name + ".wf");
                if (modules.ContainsKey(name) || !File.Exists(modulePath)) continue; // a missing module is a ModuleNotFoundError when imported, as in Python
                var moduleSource = File.ReadAllText(modulePath);
                modules[name] = moduleSource;
                RememberSource(modulePath, moduleSource);
                var moduleCode = ModuleCompiler.Compile(moduleSource, modulePath, name, diagnostics);
                if (moduleCode == null) moduleErrors = true;
                else pending.Enqueue(moduleCode);
            }
        }
        var bundled = new Dictionary<string, string>(modules);
        return new WorkflowProgram(path, source, code, diagnostics, bundled.Count == 0 ? null : new BundledModuleSource(bundled), bundled, moduleErrors);
    }

    private static CodeObject? CompileMain(string source, string fileName, List<Diagnostic> diagnostics)
    {
        var code = ModuleCompiler.Compile(source, fileName, "__main__", diagnostics);
        // Tracebacks quote source lines: a program loaded from the database has no file to read them from.
        RememberSource(fileName, source);
        return code;
    }

    /// <summary>The module names `import` statements in [code] and the functions and classes it defines name.</summary>
    private static IEnumerable<string> ImportedNames(CodeObject code)
    {
        var codes = new Stack<CodeObject>();
        codes.Push(code);
        while (codes.Count > 0)
        {
            var c = codes.Pop();
            foreach (var instruction in c.Instructions)
                if ((OpCode)(instruction & 0xFF) == OpCode.ImportName)
                    yield return c.Names[instruction >> 8];
            foreach (var constant in c.Constants)
                if (constant is CodeObject nested) codes.Push(nested);
        }
    }

    /// <summary>A version's identity: the main source alone, or with its modules in name order.</summary>
    private static string Hash(string source, IReadOnlyDictionary<string, string> modules)
    {
        var text = new System.Text.StringBuilder(source);
        foreach (var (name, moduleSource) in modules.OrderBy(m => m.Key, StringComparer.Ordinal))
            text.Append("\n\0module ").Append(name).Append('\n').Append(moduleSource);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>
    /// The sources tracebacks quote lines from, by file name: a program loaded from the database has
    /// no file to read them from. Bounded (least recently compiled dropped first), so that deploying
    /// many large programs does not grow the process without end; a dropped source only means a
    /// traceback without its source lines.
    /// </summary>
    private static readonly LruCache<string, string> Sources = new(16L * 1024 * 1024, source => source.Length);

    internal static void RememberSource(string path, string source)
    {
        Sources.Set(path, source);
        Traceback.SourceLine ??= (file, line) =>
        {
            if (!Sources.TryGet(file, out var text))
            {
                if (!File.Exists(file)) return null;
                Sources.Set(file, text = File.ReadAllText(file));
            }
            return LineOf(text, line);
        };
    }

    /// <summary>Line [line] (from 1) of [text], or null past its end.</summary>
    private static string? LineOf(string text, int line)
    {
        if (line < 1) return null;
        int start = 0;
        for (int n = 1; n < line; n++)
        {
            start = text.IndexOf('\n', start);
            if (start < 0) return null;
            start++;
        }
        int end = text.IndexOf('\n', start);
        return end < 0 ? text[start..] : text[start..end];
    }

    /// <summary>The compiled code as the pickler and unpickler see it: functions indexed by qualified name.</summary>
    internal Pickling.ProgramCode ProgramCode => _programCode ??= new Pickling.ProgramCode(
        Code ?? throw new InvalidOperationException($"{FileName} has compile errors"), SourceHash, _modules);

    /// <summary>A fresh VM for an instance of this program (the durable runtime's first turn).</summary>
    internal Interpreter NewInterpreter(TextWriter output, InterpreterOptions options) => new(output, options, _modules);

    /// <summary>The bytecode of every function, with resume sites and their live variables (`wf dis`).</summary>
    public string Disassemble() => Code == null ? throw new InvalidOperationException("the program has compile errors") : Disassembler.Disassemble(Code);

    /// <summary>
    /// Runs the program in memory: top-level code, then main(input). [inputJson] is the JSON start
    /// payload (null for None); a FormatException says where it breaks when it is not strict JSON.
    /// Printed output goes to [output].
    /// </summary>
    public RunResult Run(string? inputJson, TextWriter output, InterpreterOptions? options = null, Action<string>? log = null) =>
        Run(inputJson, output, options, log, null);

    internal RunResult Run(string? inputJson, TextWriter output, InterpreterOptions? options, Action<string>? log, Pickling.ChaosStatistics? chaos)
    {
        if (Code == null) throw new InvalidOperationException($"{FileName} has compile errors");
        object input;
        try
        {
            input = inputJson == null ? PyNone.Value : JsonValues.Parse(inputJson);
        }
        catch (Boundary.InvalidJsonException e)
        {
            throw e.Naming("input");
        }
        Action<Tasklet, PyException>? unobserved = log == null ? null : (t, e) => log($"{t} failed and nobody awaited it:\n{Traceback.Format(e)}");
        ProgramOutcome outcome;
        Interpreter vm;
        if (options?.Chaos == true)
        {
            outcome = Pickling.ChaosRun.Run(ProgramCode, input, output, options, unobserved, chaos, out vm);
        }
        else
        {
            vm = new Interpreter(output, options, _modules) { UnobservedFailure = unobserved };
            if (log != null) vm.UnraisableException = (t, e) => log($"{t}: exception ignored in a generator closed by its for loop:\n{Traceback.Format(e)}");
            outcome = vm.Run(Code, input);
        }
        return Finish(vm, outcome);
    }

    /// <summary>
    /// Resumes an instance from its [pickle] (written by this program's Run), first delivering
    /// [signals] in order, and runs it until it ends or waits again.
    /// </summary>
    public RunResult Resume(byte[] pickle, IEnumerable<(string Name, string PayloadJson)> signals, TextWriter output,
        InterpreterOptions? options = null, Action<string>? log = null)
    {
        var vm = Pickling.Unpickler.Unpickle(pickle, ProgramCode, output, options);
        if (log != null) vm.UnobservedFailure = (t, e) => log($"{t} failed and nobody awaited it:\n{Traceback.Format(e)}");
        if (log != null) vm.UnraisableException = (t, e) => log($"{t}: exception ignored in a generator closed by its for loop:\n{Traceback.Format(e)}");
        foreach (var (name, payload) in signals) vm.DeliverSignal(name, JsonValues.Parse(payload));
        var outcome = vm.Continue() ?? throw new InvalidOperationException("a stop at a safe point in a run that does not stop at safe points");
        return Finish(vm, outcome);
    }

    private RunResult Finish(Interpreter vm, ProgramOutcome outcome)
    {
        if (outcome.Status == ProgramStatus.Waiting)
            return new RunResult { Status = outcome.Status, Pickle = Pickling.Pickler.Pickle(vm, SourceHash) };
        if (outcome.Status == ProgramStatus.Failed)
            return new RunResult { Status = outcome.Status, ErrorText = outcome.ErrorText, ErrorSummary = outcome.ErrorSummary };
        var result = outcome.Result ?? PyNone.Value;
        if (result is PyNone) return new RunResult { Status = outcome.Status };
        try
        {
            return new RunResult { Status = outcome.Status, ResultJson = JsonValues.Dumps(result) };
        }
        catch (ScriptError e)
        {
            // main's result must be JSON data; anything else fails the run, as a bad activity argument would.
            return new RunResult
            {
                Status = ProgramStatus.Failed,
                ErrorText = $"main returned a value that is not JSON data:\n{Traceback.Format(e.Exception)}",
                ErrorSummary = Traceback.Summary(e.Exception),
            };
        }
    }
}
