using System.Numerics;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Workflow.Pickling;
using Workflow.Runtime;
using Workflow.Values;

namespace Workflow.Tests.Pickling;

/// <summary>
/// The unpickler against damaged and hostile pickles. Seed pickles come from chaos runs of a few
/// small programs (every safe point pickled); each sampled seed is mutated many times, blindly
/// (truncated, bytes flipped, spans deleted or repeated) and with knowledge of the JSON (a token
/// swapped for another from the same pickle or for a hostile primitive, a key dropped or renamed,
/// array items swapped, a number moved by one, a string turned into another kind's name). Every
/// mutant must be refused with a PickleException that names a path inside it, or resume and run
/// to an outcome (or to the tick limit): any other exception, a hang or a stack overflow is a bug.
/// </summary>
/// <remarks>
/// Each mutant draws from its own Random seeded by its number, so a failure reproduces alone: the
/// report names the fixture, the seed pickle, the mutant's number and the mutations, and writes the
/// mutant's bytes under the temp directory (pickle-fuzz/) to be fed to Unpickler.Unpickle directly.
/// Locally, PICKLE_FUZZ_MUTANTS=n runs a longer hunt, PICKLE_FUZZ_ONLY=id,… reruns given mutants,
/// and PICKLE_FUZZ_TRACE=1 writes each mutant before it runs (a stack overflow ends the process
/// without a report: pickle-fuzz/worker-*.txt then names the mutant).
/// </remarks>
public class PickleFuzzTests
{
    private const int TargetMutants = 12_000;
    private const int SeedsPerFixture = 14;

    /// <summary>
    /// How a resumed mutant runs: MaxTicks stops a mutant whose loop bound was raised (it counts
    /// the ticks of every slice, also of tasklets that switch by schedule() before using up a budget).
    /// </summary>
    private static InterpreterOptions ResumeOptions() => new() { MaxTicks = 2_000_000, MaxDepth = 1_000 };

    /// <summary>A mutant that runs longer than this is reported as a hang.</summary>
    private static readonly TimeSpan HangAfter = TimeSpan.FromSeconds(30);

    // ------------------------------------------------------------------------------ fixtures
    // None multiplies a sequence by a value the pickle holds: a mutated count could ask for gigabytes.

    /// <summary>Classes with a base, super(), a class body that calls, __init__ frames, a closure over a cell, bound methods.</summary>
    private const string Classes = """
        def compute(x):
            return x + 1

        class Shape:
            count = 0
            sides = compute(2)
            def __init__(self, name):
                self.name = name
                Shape.count += 1
                record(self)
            def area(self):
                return 0
            def __repr__(self):
                return "<" + self.name + ">"

        class Rect(Shape):
            def __init__(self, w, h):
                super().__init__("rect")
                self.w = w
                self.h = h
            def area(self):
                return self.w + self.h

        seen = []

        def record(shape):
            seen.append(shape.name)

        def counter(start):
            n = start
            def step(k=1):
                nonlocal n
                n += k
                return n
            return step

        def main(input):
            shapes = [Rect(2, 3), Shape("dot"), Rect(4, 5)]
            c = counter(10)
            total = 0
            for s in shapes:
                total += s.area()
                print(s, s.area(), c())
            pairs = {"a": (1, 2), "b": [3, 4]}
            for k, v in pairs.items():
                for x in v:
                    print(k, x, c(2))
            area = Rect.area
            bound = shapes[0].area
            print(Shape.count, total, area(shapes[2]), bound(), seen, isinstance(shapes[0], Shape))
            return {"total": total, "count": c(0)}
        """;

    /// <summary>Generators suspended mid-iteration, yield from, next() with a default, zip/enumerate/map/filter, dict, list, tuple, str and range iterators.</summary>
    private const string Generators = """
        def countdown(n):
            while n > 0:
                yield n
                n -= 1

        def pairs(items):
            for i, x in enumerate(items):
                yield (i, x)

        def chain(*gens):
            for g in gens:
                yield from g

        def main(input):
            g = countdown(3)
            print(next(g))
            words = ("alpha", "beta", "gamma")
            letters = iter(["x", "y", "z"])
            d = {"one": 1, "two": 2, "three": 3}
            it = iter(d.items())
            print(next(it), next(letters))
            for a, b in zip(pairs(words), chain(g, countdown(2))):
                print(a, b, next(letters, "-"))
            for k in d:
                print(k, d[k])
            for i in reversed([1, 2, 3]):
                print(i)
            s = 0
            for ch in "abc":
                for j in range(2):
                    s += j
            for t in iter(words):
                print(t)
            print(list(it), s, list(map(lambda v: v + 1, [1, 2])), list(filter(None, [0, 1, 2])))
            return s
        """;

    /// <summary>Exceptions with attributes and tracebacks, a handler and a finally block in progress at a safe point, raise from.</summary>
    private const string Exceptions = """
        class AppError(Exception):
            def __init__(self, code, detail):
                super().__init__(detail)
                self.code = code

        def fail(n):
            if n > 2:
                raise AppError(n, "too big: " + str(n))
            return n

        def cleanup(log, what):
            log.append(what)
            schedule()

        def main(input):
            log = []
            for n in range(5):
                try:
                    try:
                        fail(n)
                        print("ok", n)
                    except AppError as e:
                        print("handling", e.code, e)
                        cleanup(log, "h" + str(n))
                        if n == 4:
                            raise ValueError("wrapped") from e
                    finally:
                        cleanup(log, "f" + str(n))
                except ValueError as v:
                    print("outer", v, type(v.__cause__).__name__)
                    cleanup(log, "o")
            try:
                {}["missing"]
            except KeyError as k:
                print("key", k)
                schedule()
            return log
        """;

    /// <summary>Tasklets with a buffered channel (blocked senders, a blocked receiver), spawn and await, a for loop over a closed channel.</summary>
    private const string Channels = """
        def producer(name, ch, items):
            for x in items:
                ch.send(name + ":" + str(x))
            return name

        def consumer(ch, out, n):
            got = []
            for i in range(n):
                got.append(ch.receive())
            out.send(got)

        def main(input):
            ch = channel(2)
            out = channel()
            p1 = spawn(producer, "a", ch, [1, 2, 3])
            p2 = spawn(producer, "b", ch, [4, 5])
            c = spawn(consumer, ch, out, 5)
            schedule()
            results = out.receive()
            print(sorted(results))
            print(await p1, await p2)
            waiter = channel()
            def late():
                v = waiter.receive()
                return v + "!"
            h = spawn(late)
            schedule()
            waiter.send("hi")
            print(await h)
            done = channel(3)
            done.send(1)
            done.send(2)
            done.close()
            for v in done:
                print("drained", v)
            return len(results)
        """;

    /// <summary>A generator receiving from a channel, a dict with tuple and __hash__ keys, dict views, a __getitem__ sequence, slices, a bound built-in method.</summary>
    private const string Mixed = """
        class Seq:
            def __init__(self, items):
                self.items = items
            def __getitem__(self, i):
                return self.items[i]

        class Key:
            def __init__(self, v):
                self.v = v
            def __hash__(self):
                return self.v
            def __eq__(self, other):
                return isinstance(other, Key) and other.v == self.v

        def numbers_from(ch):
            while True:
                try:
                    v = ch.receive()
                except ChannelClosedError:
                    return
                yield v

        def produce(ch, items):
            for i in items:
                ch.send(i)
            ch.close()

        def main(input):
            ch = channel()
            spawn(produce, ch, [3, 1, 4, 1, 5])
            total = 0
            seen = []
            add = seen.append
            for i, v in enumerate(numbers_from(ch)):
                total += v
                add(v)
                print(i, v, total)
            table = {(1, "a"): "tuple", Key(7): "key", "s": seen}
            keys = table.keys()
            for k in keys:
                print(table[k])
            for x in Seq(["p", "q"]):
                print(x)
            for r in range(10, 0, -3):
                print(r)
            for c in "hello"[1:4]:
                print(c)
            for item in iter(table.values()):
                schedule()
            return total
        """;

    /// <summary>Tasklets awaiting a signal's future, the instance waiting on `await signal("go")`, then on another signal.</summary>
    private const string Signals = """
        def watcher(f, name):
            v = await f
            print(name, "saw", v)
            return name

        def main(input):
            print("start", input)
            f = signal("go")
            ws = [spawn(watcher, f, "w" + str(i)) for i in range(2)]
            helper = spawn(lambda: input["n"] + 1)
            schedule()
            v = await f
            print("got", v)
            other = await signal("later")
            return [v, other, await ws[0], await ws[1], await helper]
        """;

    /// <summary>Dunder methods run as frames, a user iterator, keyword and star calls, f-strings, unpacking and `in` over a generator, a class body.</summary>
    private const string Protocols = """
        import json

        class Vec:
            def __init__(self, x, y):
                self.x = x
                self.y = y
            def __add__(self, other):
                schedule()
                return Vec(self.x + other.x, self.y + other.y)
            def __eq__(self, other):
                return isinstance(other, Vec) and self.x == other.x and self.y == other.y
            def __lt__(self, other):
                return self.x < other.x
            def __getitem__(self, i):
                return [self.x, self.y][i]
            def __repr__(self):
                return f"Vec({self.x}, {self.y})"

        class Countdown:
            def __init__(self, n):
                self.n = n
            def __iter__(self):
                return self
            def __next__(self):
                if self.n <= 0:
                    raise StopIteration
                self.n -= 1
                schedule()
                return self.n

        def gen(n):
            for i in range(n):
                yield i

        def label(value, *, prefix="v", suffix=None):
            return prefix + str(value) + (suffix or "")

        def main(input):
            total = Vec(0, 0)
            for v in [Vec(1, 2), Vec(3, 4)]:
                total = total + v
            print(total, total == Vec(4, 6), Vec(1, 0) < Vec(2, 0), total[1])
            print(f"first {label(1)} then {label(2, prefix='w', suffix='!')}")
            args = [3]
            kwargs = {"prefix": "k"}
            print(label(*args, **kwargs))
            print([x for x in Countdown(3)], {k: label(k) for k in gen(2)})
            a, b, c = gen(3)
            print(a, b, c, 2 in gen(4), next(gen(0), "empty"))
            print(sorted([Vec(3, 0), Vec(1, 0)]), sorted(["bb", "a"], key=lambda s: len(s)))
            class Local(Vec):
                tag = label(7)
            print(Local(1, 1), Local.tag)
            assert total == Vec(4, 6), "sum"
            print(json.dumps({"x": [total.x, total.y]}))
            return label(total.x)
        """;

    /// <summary>Signals a resumed mutant that waits is sent, one at a time, while it still waits.</summary>
    private static readonly string[] SignalsToDeliver = { "go", "later", "go" };

    private static readonly (string Name, string Source, string Input)[] Fixtures =
    {
        ("classes", Classes, "null"),
        ("generators", Generators, "null"),
        ("exceptions", Exceptions, "null"),
        ("channels", Channels, "null"),
        ("mixed", Mixed, "null"),
        ("signals", Signals, """{"n": 1}"""),
        ("protocols", Protocols, "null"),
    };

    private sealed record Seed(string Fixture, int Number, byte[] Pickle, ProgramCode Program);

    private static readonly Lazy<List<Seed>> SeedPickles = new(CollectSeeds);

    /// <summary>Runs each fixture in chaos mode and keeps an evenly spaced sample of its pickles (always the first and last).</summary>
    private static List<Seed> CollectSeeds()
    {
        var seeds = new List<Seed>();
        foreach (var (name, source, input) in Fixtures)
        {
            var program = WorkflowProgram.Compile(source, name + ".wf");
            Assert.True(!program.HasErrors, name + ": " + string.Join("\n", program.Diagnostics));
            var pickles = new List<byte[]>();
            var statistics = new ChaosStatistics { OnPickle = pickles.Add };
            var result = program.Run(input, new StringWriter(), new InterpreterOptions { Chaos = true }, null, statistics);
            Assert.True(result.Status != ProgramStatus.Failed, $"{name}: {result.ErrorText}");

            int step = Math.Max(1, (pickles.Count - 1) / (SeedsPerFixture - 1));
            for (int i = 0; i < pickles.Count; i += step)
                seeds.Add(new Seed(name, i, pickles[i], program.ProgramCode));
            if ((pickles.Count - 1) % step != 0) seeds.Add(new Seed(name, pickles.Count - 1, pickles[^1], program.ProgramCode));

            // A chaos run stops pickling once every tasklet waits; the waiting states (futures with
            // awaiters, queued signals) are pickled here from a plain run, before each signal, and all kept.
            if (result.Status == ProgramStatus.Waiting)
            {
                var vm = new Interpreter(new StringWriter(), new InterpreterOptions(), program.ProgramCode.ModuleSource);
                vm.Start(program.ProgramCode.Main, JsonValues.Parse(input));
                int number = pickles.Count;
                foreach (var signal in SignalsToDeliver)
                {
                    if (vm.Continue()?.Status != ProgramStatus.Waiting) break;
                    seeds.Add(new Seed(name, number++, Pickler.Pickle(vm, program.ProgramCode.Hash), program.ProgramCode));
                    vm.DeliverSignal(signal, "payload of " + signal);
                }
                Assert.Equal(ProgramStatus.Completed, vm.Continue()?.Status);
                Assert.True(number > pickles.Count, name + " never waited in a plain run");
            }
        }
        return seeds;
    }

    // ------------------------------------------------------------------------------ the fuzz test

    private enum Verdict { RefusedAsJson, Refused, Completed, Failed, Waiting, TickLimit }

    [Fact]
    public void Every_mutated_or_truncated_pickle_is_refused_with_a_path_or_resumes()
    {
        var seeds = SeedPickles.Value;
        // PICKLE_FUZZ_MUTANTS asks for a longer run (locally, when hunting).
        int target = int.TryParse(Environment.GetEnvironmentVariable("PICKLE_FUZZ_MUTANTS"), out var asked) ? Math.Max(asked, TargetMutants) : TargetMutants;
        // PICKLE_FUZZ_ONLY=id,id… reruns just those mutants (their numbers do not depend on the run's length).
        var only = Environment.GetEnvironmentVariable("PICKLE_FUZZ_ONLY")?.Split(',').Select(int.Parse).ToArray();
        int total = only?.Length ?? (target + seeds.Count - 1) / seeds.Count * seeds.Count;
        var counts = new int[Enum.GetValues<Verdict>().Length];
        // Crashes grouped by exception type and the engine frame that threw, with the first few mutants of each.
        var failures = new Dictionary<string, List<string>>();
        int failed = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Mutants are shared among worker threads by number; each has its own Random, so the split
        // changes nothing. The threads' stacks are small so that native recursion shows early.
        int next = -1;
        // PICKLE_FUZZ_TRACE=1 writes each mutant to pickle-fuzz/ before running it (slow; for a crash that kills the process).
        bool trace = Environment.GetEnvironmentVariable("PICKLE_FUZZ_TRACE") == "1";
        var current = new string?[Math.Max(2, Environment.ProcessorCount)];
        var started = new long[current.Length];
        var running = new (int Id, byte[] Bytes)[current.Length];
        var workers = Enumerable.Range(0, current.Length).Select(w => new Thread(() =>
        {
            var local = new int[counts.Length];
            var parsed = new Dictionary<Seed, JObject>();
            for (int n; (n = Interlocked.Increment(ref next)) < total;)
            {
                int id = only?[n] ?? n;
                var seed = seeds[id % seeds.Count];
                if (!parsed.TryGetValue(seed, out var json)) parsed[seed] = json = ParsePickle(seed.Pickle);
                var mutator = new Mutator(new Random(id * 7919 + 17), seed.Pickle, json);
                var mutant = mutator.Mutate();
                current[w] = $"mutant {id} of seed {seed.Fixture}#{seed.Number}: {mutator.Description}";
                running[w] = (id, mutant);
                Volatile.Write(ref started[w], System.Diagnostics.Stopwatch.GetTimestamp());
                if (only != null) current[w] += "\n  bytes in " + SaveMutant(id, mutant);
                if (trace)
                {
                    // A stack overflow ends the test process with no report: this names the mutant it was on.
                    SaveMutant(-1 - w, mutant);
                    File.WriteAllText(Path.Combine(Path.GetTempPath(), "pickle-fuzz", $"worker-{w}.txt"), current[w]);
                }
                try
                {
                    local[(int)RunMutant(mutant, seed.Program)]++;
                }
                catch (Exception e)
                {
                    var file = SaveMutant(id, mutant);
                    var key = e.GetType().Name + " at " + (e.StackTrace ?? "").Split('\n').FirstOrDefault()?.Trim();
                    lock (failures)
                    {
                        failed++;
                        if (!failures.TryGetValue(key, out var examples)) failures[key] = examples = new List<string>();
                        if (examples.Count < 3) examples.Add($"{current[w]}\n  bytes in {file}\n  {e}");
                    }
                }
                Volatile.Write(ref started[w], 0);
                current[w] = null;
            }
            lock (counts)
                for (int i = 0; i < counts.Length; i++) counts[i] += local[i];
        }, 512 * 1024) { IsBackground = true, Name = "pickle fuzz " + w }).ToList();
        workers.ForEach(t => t.Start());
        while (!workers.All(t => t.Join(TimeSpan.FromMilliseconds(200))))
        {
            // A hang is a failure too, reported at once with the mutant (its thread is left behind, in the background).
            for (int w = 0; w < workers.Count; w++)
            {
                long since = Volatile.Read(ref started[w]);
                if (since != 0 && System.Diagnostics.Stopwatch.GetElapsedTime(since) > HangAfter && current[w] is { } hung)
                    Assert.Fail($"a mutant runs for more than {HangAfter.TotalSeconds} s: {hung}\n  bytes in {SaveMutant(running[w].Id, running[w].Bytes)}");
            }
        }

        var summary = string.Join(", ", Enum.GetValues<Verdict>().Select(v => $"{v} {counts[(int)v]}"))
            + $"; {total} mutants of {seeds.Count} seeds in {clock.Elapsed.TotalSeconds:F1} s";
        Assert.True(failed == 0, $"{failed} mutants crashed the unpickler or the VM, in {failures.Count} ways ({summary}):\n\n"
            + string.Join("\n\n", failures.Select(f => $"=== {f.Key}\n" + string.Join("\n\n", f.Value))));

        Assert.True(total >= 10_000, summary);
        Assert.Equal(total, counts.Sum());
        // The mutator must not degenerate into one outcome: refusals beyond broken JSON, and resumed runs.
        Assert.True(counts[(int)Verdict.RefusedAsJson] >= total / 20, summary);
        Assert.True(counts[(int)Verdict.Refused] >= total / 5, summary);
        Assert.True(counts[(int)Verdict.Completed] + counts[(int)Verdict.Failed] + counts[(int)Verdict.Waiting] >= total / 20, summary);
    }

    [Fact]
    public void Every_seed_pickle_resumes_unchanged()
    {
        // The fuzz test's baseline: unmutated seeds resume to the end.
        foreach (var seed in SeedPickles.Value)
        {
            var verdict = RunMutant(seed.Pickle, seed.Program);
            Assert.True(verdict is Verdict.Completed or Verdict.Waiting, $"{seed.Fixture}#{seed.Number}: {verdict}");
        }
    }

    /// <summary>Unpickles and runs one mutant; throws (failing the test) on anything but a refusal, an outcome or the tick limit.</summary>
    private static Verdict RunMutant(byte[] mutant, ProgramCode program)
    {
        var output = new BoundedWriter();
        Interpreter vm;
        try
        {
            vm = Unpickler.Unpickle(mutant, program, output, ResumeOptions());
        }
        catch (PickleException e)
        {
            Assert.NotNull(e.Path);
            Assert.False(string.IsNullOrWhiteSpace(e.Message), "a refusal without a message");
            JObject root;
            try
            {
                root = ParsePickle(mutant);
            }
            catch (Exception json) when (json is JsonException or InvalidCastException)
            {
                return Verdict.RefusedAsJson;
            }
            // The path must lead somewhere inside the pickle (unless a key, empty or quoted, makes it one Json.NET cannot read back).
            JToken? found;
            try
            {
                found = root.SelectToken(e.Path);
            }
            catch (JsonException)
            {
                return Verdict.Refused;
            }
            Assert.True(found != null, $"the refusal's path '{e.Path}' is not in the pickle: {e.Message}");
            return Verdict.Refused;
        }

        try
        {
            var outcome = vm.Continue() ?? throw new InvalidOperationException("Continue() returned null outside chaos mode");
            foreach (var signal in SignalsToDeliver)
            {
                if (outcome.Status != ProgramStatus.Waiting) break;
                vm.DeliverSignal(signal, "payload of " + signal);
                outcome = vm.Continue() ?? throw new InvalidOperationException("Continue() returned null outside chaos mode");
            }
            return outcome.Status switch
            {
                ProgramStatus.Completed => Verdict.Completed,
                ProgramStatus.Failed => Verdict.Failed,
                _ => Verdict.Waiting,
            };
        }
        catch (ExecutionLimitExceeded)
        {
            return Verdict.TickLimit;
        }
    }

    private static JObject ParsePickle(byte[] pickle)
    {
        using var reader = new JsonTextReader(new StreamReader(new MemoryStream(pickle), new UTF8Encoding(false)))
        {
            DateParseHandling = DateParseHandling.None,
            FloatParseHandling = FloatParseHandling.Double,
            MaxDepth = 64,
        };
        return (JObject)JToken.ReadFrom(reader);
    }

    private static string SaveMutant(int id, byte[] mutant)
    {
        var directory = Path.Combine(Path.GetTempPath(), "pickle-fuzz");
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, $"mutant-{id}.json");
        File.WriteAllBytes(file, mutant);
        return file;
    }

    /// <summary>Keeps what a resumed mutant prints, up to a bound: a mutated loop may print for two million ticks.</summary>
    private sealed class BoundedWriter : StringWriter
    {
        private const int Limit = 64 * 1024;

        public override void Write(char value)
        {
            if (GetStringBuilder().Length < Limit) base.Write(value);
        }

        public override void Write(string? value)
        {
            if (GetStringBuilder().Length < Limit) base.Write(value);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            if (GetStringBuilder().Length < Limit) base.Write(buffer, index, count);
        }
    }

    // ------------------------------------------------------------------------------ the mutator

    private sealed class Mutator
    {
        private readonly Random _random;
        private readonly byte[] _pickle;
        private readonly JObject _json;
        private readonly List<string> _steps = new();

        public Mutator(Random random, byte[] pickle, JObject json)
        {
            _random = random;
            _pickle = pickle;
            _json = json;
        }

        public string Description => string.Join("; ", _steps);

        /// <summary>The names the unpickler switches on, for turning one string into another kind's.</summary>
        private static readonly string[] KindNames =
        {
            "list", "tuple", "dict", "cell", "instance", "exception", "class", "function", "code", "bound_method",
            "bound_native", "super", "generator", "channel", "future", "channel_iterator", "list_iterator",
            "list_reverseiterator", "tuple_iterator", "str_iterator", "range_iterator", "dict_iterator", "dict_view",
            "enumerate", "zip", "map", "filter", "sequence_iterator", "range", "slice",
            "runnable", "blocked", "completed", "failed", "pending", "resolved", "signal", "keys", "values", "items",
            "call", "init", "class_body", "import", "for_iter", "yield_from", "next", "for_iter_next", "loop", "entry",
            "__main__", "<module>", "builtins", "main", "System.Diagnostics.Process", "System.IO.File",
            "System.IO.FileInfo, System.IO.FileSystem", "", "nan", "-inf", "99999999999999999999999",
        };

        /// <summary>Keys the pickler writes only now and then, for adding where they are missing.</summary>
        private static readonly string[] OptionalKeys =
        {
            "running", "queue", "futures", "signals", "blockedOn", "receiving", "resume", "resumeError", "handled", "result",
            "error", "errorObserved", "awaiters", "module", "return", "locals", "cells", "stack", "namespace", "extra",
            "nextDefault", "attrs", "traceback", "context", "cause", "suppressContext", "defaults", "kwdefaults", "closure",
            "started", "finished", "frame", "callerHandled", "closed", "buffer", "senders", "receivers", "value", "reversed",
            "changed", "strict", "done", "generator", "builtin", "globals", "defs", "input", "mainCalled", "nextTasklet",
        };

        public byte[] Mutate()
        {
            // Blind byte mutations mostly break the JSON (the parser's job); structure-aware ones reach the unpickler's checks.
            if (_random.Next(10) < 3) return MutateBytes();
            var root = (JObject)_json.DeepClone();
            int rounds = _random.Next(4) == 0 ? _random.Next(2, 6) : 1;
            for (int i = 0; i < rounds; i++) MutateTree(root);
            var bytes = Encoding.UTF8.GetBytes(root.ToString(Formatting.None));
            // Now and then a structure-aware mutant is also cut short.
            if (_random.Next(20) == 0)
            {
                int at = _random.Next(bytes.Length);
                _steps.Add($"truncate at byte {at}");
                bytes = bytes[..at];
            }
            return bytes;
        }

        private byte[] MutateBytes()
        {
            var bytes = (byte[])_pickle.Clone();
            int n = bytes.Length;
            switch (_random.Next(6))
            {
                case 0:
                    {
                        int at = _random.Next(n);
                        _steps.Add($"truncate at byte {at}");
                        return bytes[..at];
                    }
                case 1:
                    {
                        int flips = _random.Next(1, 5);
                        for (int i = 0; i < flips; i++)
                        {
                            int at = _random.Next(n);
                            int bit = _random.Next(8);
                            bytes[at] ^= (byte)(1 << bit);
                            _steps.Add($"flip bit {bit} of byte {at}");
                        }
                        return bytes;
                    }
                case 2:
                    {
                        const string jsonish = "{}[]\":,-.0123456789eE tfnrul\\";
                        int count = _random.Next(1, 5);
                        for (int i = 0; i < count; i++)
                        {
                            int at = _random.Next(n);
                            bytes[at] = (byte)jsonish[_random.Next(jsonish.Length)];
                            _steps.Add($"byte {at} = '{(char)bytes[at]}'");
                        }
                        return bytes;
                    }
                case 3:
                    {
                        // A digit for another keeps the JSON valid and moves a reference, site, index or id.
                        var digits = Enumerable.Range(0, n).Where(i => bytes[i] is >= (byte)'0' and <= (byte)'9').ToList();
                        if (digits.Count == 0) goto case 0;
                        int at = digits[_random.Next(digits.Count)];
                        bytes[at] = (byte)('0' + _random.Next(10));
                        _steps.Add($"digit at byte {at} = '{(char)bytes[at]}'");
                        return bytes;
                    }
                case 4:
                    {
                        int start = _random.Next(n);
                        int length = Math.Min(n - start, _random.Next(1, 65));
                        _steps.Add($"delete bytes {start}..{start + length}");
                        return bytes[..start].Concat(bytes[(start + length)..]).ToArray();
                    }
                default:
                    {
                        int start = _random.Next(n);
                        int length = Math.Min(n - start, _random.Next(1, 65));
                        int at = _random.Next(n + 1);
                        _steps.Add($"copy bytes {start}..{start + length} to {at}");
                        return bytes[..at].Concat(bytes[start..(start + length)]).Concat(bytes[at..]).ToArray();
                    }
            }
        }

        private void MutateTree(JObject root)
        {
            var tokens = root.Descendants().ToList();
            var values = tokens.Where(t => t is not JProperty).ToList();
            switch (_random.Next(10))
            {
                case 9:
                    {
                        // A key the pickle may have but this object has not (a tasklet that "receives" as a loop, a
                        // frame that "return"s as init, a generator "running"…), with a value from the pickle or a hostile one.
                        var objects = values.OfType<JObject>().ToList();
                        if (objects.Count == 0) goto default;
                        var target = Pick(objects);
                        var key = OptionalKeys[_random.Next(OptionalKeys.Length)];
                        if (target.ContainsKey(key)) goto default;
                        JToken value = _random.Next(3) switch
                        {
                            0 => Pick(values).DeepClone(),
                            1 => Hostile(root),
                            _ => new JValue(_random.Next(4) == 0 ? (object)true : KindNames[_random.Next(KindNames.Length)]),
                        };
                        _steps.Add($"{target.Path}.{key} = {Short(value)}");
                        target.Add(key, value);
                        break;
                    }
                case 0:
                case 1:
                    {
                        // Another token of the same pickle: a real value in the wrong place.
                        var target = Pick(values);
                        var other = Pick(values).DeepClone();
                        _steps.Add($"{target.Path} = {Short(other)}");
                        Replace(root, target, other);
                        break;
                    }
                case 2:
                case 3:
                    {
                        var target = Pick(values);
                        var hostile = Hostile(root);
                        _steps.Add($"{target.Path} = {Short(hostile)}");
                        Replace(root, target, hostile);
                        break;
                    }
                case 4:
                    {
                        var properties = tokens.OfType<JProperty>().ToList();
                        var property = Pick(properties);
                        if (_random.Next(3) == 0)
                        {
                            // Renamed to another key the pickle uses.
                            var name = Pick(properties).Name;
                            if (((JObject)property.Parent!).ContainsKey(name)) goto default;
                            _steps.Add($"rename {property.Path} to \"{name}\"");
                            property.Replace(new JProperty(name, property.Value));
                        }
                        else
                        {
                            _steps.Add($"delete {property.Path}");
                            property.Remove();
                        }
                        break;
                    }
                case 5:
                    {
                        var arrays = tokens.OfType<JArray>().Where(a => a.Count > 0).ToList();
                        if (arrays.Count == 0) goto default;
                        var array = Pick(arrays);
                        int i = _random.Next(array.Count), j = _random.Next(array.Count);
                        switch (_random.Next(3))
                        {
                            case 0:
                                _steps.Add($"swap {array.Path}[{i}] and [{j}]");
                                (array[i], array[j]) = (array[j].DeepClone(), array[i].DeepClone());
                                break;
                            case 1:
                                _steps.Add($"delete {array.Path}[{i}]");
                                array.RemoveAt(i);
                                break;
                            default:
                                _steps.Add($"repeat {array.Path}[{i}] at {j}");
                                array.Insert(j, array[i].DeepClone());
                                break;
                        }
                        break;
                    }
                case 6:
                case 7:
                    {
                        var numbers = values.Where(t => t.Type == JTokenType.Integer).ToList();
                        if (numbers.Count == 0) goto default;
                        var number = (JValue)Pick(numbers);
                        long delta = _random.Next(2) == 0 ? 1 : -1;
                        var old = number.Value is long l ? l : 0;
                        _steps.Add($"{number.Path} {(delta > 0 ? "+" : "-")}= 1");
                        number.Value = unchecked(old + delta);
                        break;
                    }
                default:
                    {
                        var strings = values.Where(t => t.Type == JTokenType.String).ToList();
                        if (strings.Count == 0) return;
                        var text = (JValue)Pick(strings);
                        // Half the time a name the unpickler knows, half a string of this very pickle (a function, a site…).
                        var name = _random.Next(2) == 0 ? KindNames[_random.Next(KindNames.Length)] : (string)Pick(strings)!;
                        _steps.Add($"{text.Path} = \"{name}\"");
                        text.Value = name;
                        break;
                    }
            }
        }

        private JToken Hostile(JObject root)
        {
            int heap = root["heap"] is JArray h ? h.Count : 10;
            switch (_random.Next(24))
            {
                case 0: return new JValue(0);
                case 1: return new JValue(-1);
                case 2: return new JValue(long.MaxValue);
                case 3: return new JValue(long.MinValue);
                case 4: return new JValue(BigInteger.Parse("123456789012345678901234567890"));
                case 5: return new JValue(int.MaxValue);
                case 6: return new JValue("");
                case 7: return JValue.CreateNull();
                case 8: return new JValue(_random.Next(2) == 0);
                case 9: return new JValue(1.5);
                case 10: return new JObject { ["ref"] = _random.Next(heap) };
                case 11: return new JObject { ["ref"] = _random.Next(4) switch { 0 => heap, 1 => -1, 2 => int.MaxValue, _ => long.MaxValue } };
                case 12: return new JObject { ["type"] = "System.IO.File" };
                case 13: return new JObject { ["$type"] = "System.IO.FileInfo, System.IO.FileSystem" };
                case 14: return new JObject { ["kind"] = "System.Diagnostics.Process", ["$type"] = "System.Diagnostics.Process, System" };
                case 15: return new JObject();
                case 16: return new JArray();
                case 17: return new JObject { ["int"] = _random.Next(2) == 0 ? "1" + new string('0', 4000) : "12x" };
                case 18: return new JObject { ["float"] = _random.Next(2) == 0 ? "nan" : "1e999" };
                case 19: return new JObject { ["tasklet"] = _random.Next(-1, 8) };
                case 20: return new JObject { ["builtin"] = _random.Next(2) == 0 ? "print" : "System.Console.WriteLine" };
                case 21: return new JObject { ["module"] = _random.Next(2) == 0 ? "__main__" : "os" };
                case 22: return new JObject { ["ref"] = 0, ["extra"] = 1 };
                default: return new JArray(new JArray(new JArray(_random.Next(3))));
            }
        }

        private T Pick<T>(List<T> items) => items[_random.Next(items.Count)];

        private static void Replace(JObject root, JToken target, JToken replacement)
        {
            if (target == root) return;
            target.Replace(replacement);
        }

        private static string Short(JToken token)
        {
            var text = token.ToString(Formatting.None);
            return text.Length <= 80 ? text : text[..77] + "...";
        }
    }

    // ------------------------------------------------------------------------------ hostile pickles, by hand

    private static Seed AnySeed(string fixture) => SeedPickles.Value.Last(s => s.Fixture == fixture);

    private static byte[] Bytes(JToken json) => Encoding.UTF8.GetBytes(json.ToString(Formatting.None));

    private static PickleException Refused(byte[] pickle, ProgramCode program) =>
        Assert.Throws<PickleException>(() => Unpickler.Unpickle(pickle, program, new StringWriter(), ResumeOptions()));

    /// <summary>Runs [action] on a thread with a 256 KB stack: a native recursion as deep as the input would overflow it and kill the test run.</summary>
    private static void OnSmallStack(Action action)
    {
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                error = e;
            }
        }, 256 * 1024);
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromMinutes(2)), "the unpickler hangs");
        if (error != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
    }

    [Fact]
    public void A_pickle_naming_a_dotnet_type_is_refused()
    {
        // A pickle with an instance of a script class in its heap.
        var seed = SeedPickles.Value.First(s => ParsePickle(s.Pickle)["heap"]!.Any(e => (string?)e["kind"] == "instance"));
        var json = ParsePickle(seed.Pickle);
        var heap = (JArray)json["heap"]!;
        int instance = heap.Select((e, i) => (e, i)).First(x => (string?)x.e["kind"] == "instance").i;

        var asKind = (JObject)json.DeepClone();
        asKind["heap"]![instance]!["kind"] = "System.Diagnostics.Process";
        Assert.Contains("unknown kind", Refused(Bytes(asKind), seed.Program).Message);

        var asType = (JObject)json.DeepClone();
        asType["heap"]![instance]!["class"] = new JObject { ["type"] = "System.IO.File" };
        Assert.Equal($"heap[{instance}].class.type", Refused(Bytes(asType), seed.Program).Path);

        var asTag = (JObject)json.DeepClone();
        asTag["input"] = new JObject { ["$type"] = "System.IO.FileInfo, System.IO.FileSystem", ["$value"] = "/etc/passwd" };
        Assert.Equal("input", Refused(Bytes(asTag), seed.Program).Path);

        // Json.NET's own type metadata anywhere the pickler writes no such key.
        var atRoot = (JObject)json.DeepClone();
        atRoot.AddFirst(new JProperty("$type", "Workflow.Runtime.Interpreter, Workflow.Engine"));
        Assert.Equal("$type", Refused(Bytes(atRoot), seed.Program).Path.TrimStart('[', '\'').TrimEnd(']', '\''));

        var inEntry = (JObject)json.DeepClone();
        ((JObject)inEntry["heap"]![instance]!).AddFirst(new JProperty("$type", "System.Diagnostics.Process, System"));
        Assert.StartsWith($"heap[{instance}]", Refused(Bytes(inEntry), seed.Program).Path);

        var inTasklet = (JObject)json.DeepClone();
        ((JObject)inTasklet["tasklets"]![0]!).Add(new JProperty("$type", "System.Diagnostics.Process, System"));
        Assert.StartsWith("tasklets[0]", Refused(Bytes(inTasklet), seed.Program).Path);
    }

    [Fact]
    public void A_deeply_nested_json_array_is_refused_without_overflowing_the_stack()
    {
        const int depth = 100_000;
        var text = new StringBuilder();
        text.Append("{\"format\":1,\"input\":");
        text.Append('[', depth).Append(']', depth).Append('}');
        var program = AnySeed("classes").Program;
        OnSmallStack(() =>
        {
            var e = Refused(Encoding.UTF8.GetBytes(text.ToString()), program);
            Assert.Contains("not valid JSON", e.Message);
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_class_chain_200000_long_is_refused_or_loaded_without_overflowing_the_stack(bool basesFirst)
    {
        // Each class's base is the next heap entry (resolving the first needs all the others) or the previous one.
        const int length = 200_000;
        var seed = AnySeed("classes");
        var json = ParsePickle(seed.Pickle);
        var heap = (JArray)json["heap"]!;
        int first = heap.Count;
        for (int i = 0; i < length; i++)
        {
            int baseIndex = basesFirst ? first + i - 1 : first + i + 1;
            JToken @base = basesFirst && i == 0 || !basesFirst && i == length - 1
                ? new JObject { ["type"] = "object" }
                : new JObject { ["ref"] = baseIndex };
            heap.Add(new JObject { ["kind"] = "class", ["name"] = "C" + i, ["base"] = @base, ["dict"] = new JObject() });
        }
        json["input"] = new JObject { ["ref"] = basesFirst ? first + length - 1 : first };
        var pickle = Bytes(json);

        OnSmallStack(() =>
        {
            try
            {
                var vm = Unpickler.Unpickle(pickle, seed.Program, new StringWriter(), ResumeOptions());
                Assert.NotNull(vm.Continue());
            }
            catch (PickleException e)
            {
                Assert.StartsWith("heap[", e.Path);
            }
        });
    }

    [Fact]
    public void A_value_that_does_not_fit_the_operand_stack_is_refused()
    {
        // A consumer stopped inside `got.append(ch.receive())`: its stack holds list.append and the list it was loaded from.
        var (seed, json, slot) = SeedPickles.Value.Select(s => (Seed: s, Json: ParsePickle(s.Pickle)))
            .SelectMany(p => p.Json.SelectTokens("tasklets[*].frames[*].stack[*]").Where(v => v is JObject o && o.ContainsKey("native")).Select(v => (p.Seed, p.Json, Slot: v)))
            .First();
        var receiver = ((JArray)slot.Parent!)[((JArray)slot.Parent!).IndexOf(slot) + 1];
        receiver.Replace(new JValue(5));
        var e = Refused(Bytes(json), seed.Program);
        Assert.Equal(slot.Path, e.Path);
        Assert.Contains("operand stack", e.Message);
    }

    [Fact]
    public void Objects_only_the_interpreter_holds_are_refused_as_values()
    {
        var seed = AnySeed("classes");
        foreach (var value in new[] { """{"const": "noself"}""", """{"native": "list.append"}""", """{"const": "end_of_iteration"}""" })
        {
            var json = ParsePickle(seed.Pickle);
            json["input"] = JToken.Parse(value);
            Assert.Equal("input", Refused(Bytes(json), seed.Program).Path);
        }
    }

    [Fact]
    public void A_tasklet_in_a_plain_receive_cannot_wait_as_a_for_loop()
    {
        // Closing the channel would wake it with end_of_iteration, which only a for loop's ForIter can take.
        const string source = """
            def closer(ch):
                schedule()
                ch.close()

            def main(input):
                ch = channel()
                spawn(closer, ch)
                try:
                    return ch.receive()
                except ChannelClosedError:
                    return "closed"
            """;
        var program = WorkflowProgram.Compile(source, "receive.wf");
        var pickles = new List<byte[]>();
        program.Run(null, new StringWriter(), new InterpreterOptions { Chaos = true }, null, new ChaosStatistics { OnPickle = pickles.Add });
        // Main is blocked in the pickle where it is neither queued nor running (the state is left out where it follows).
        var blocked = pickles.Select(ParsePickle).First(p => p["tasklets"]![0]!["frames"] != null && (long?)p["running"] != 1
            && !(p["queue"] as JArray ?? new JArray()).Any(q => (long)q == 1));
        Assert.Equal(ProgramStatus.Completed, Unpickler.Unpickle(Bytes(blocked), program.ProgramCode, new StringWriter(), ResumeOptions()).Continue()!.Status);
        blocked["tasklets"]![0]!["receiving"] = "loop";
        Assert.Equal("tasklets[0].frames[0]", Refused(Bytes(blocked), program.ProgramCode).Path);
    }

    [Fact]
    public void An_empty_file_and_random_bytes_are_refused()
    {
        var program = AnySeed("classes").Program;
        Refused(Array.Empty<byte>(), program);
        Refused(Encoding.UTF8.GetBytes("   "), program);
        Refused(Encoding.UTF8.GetBytes("null"), program);
        Refused(Encoding.UTF8.GetBytes("[]"), program);
        Refused(Encoding.UTF8.GetBytes("{}"), program);
        var random = new Random(4242);
        for (int i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(1, 4096)];
            random.NextBytes(bytes);
            if (i % 2 == 0) bytes[0] = (byte)'{';
            var e = Refused(bytes, program);
            Assert.False(string.IsNullOrEmpty(e.Message));
        }
    }
}
