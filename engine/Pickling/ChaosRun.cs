using Workflow.Runtime;
using Workflow.Values;

namespace Workflow.Pickling;

/// <summary>
/// `wf run --chaos`: runs a program and, at every safe point, pickles the whole instance, throws
/// the live VM away and goes on in a fresh VM unpickled from the bytes. If anything the program
/// needs were missing from the pickle, its output would differ from a plain run's.
/// </summary>
internal static class ChaosRun
{
    /// <summary>Runs to the end (or until the instance waits); [final] is the VM the run ended in.</summary>
    public static ProgramOutcome Run(ProgramCode program, object input, TextWriter output, InterpreterOptions options,
        Action<Tasklet, PyException>? unobservedFailure, ChaosStatistics? statistics, out Interpreter final)
    {
        if (!options.StopAtSafePoints) options = options.StoppingAtSafePoints();
        var vm = new Interpreter(output, options, program.ModuleSource) { UnobservedFailure = unobservedFailure };
        vm.Start(program.Main, input);
        while (true)
        {
            var outcome = vm.Continue();
            if (outcome != null)
            {
                final = vm;
                return outcome;
            }
            var pickle = Pickler.Pickle(vm, program.Hash);
            var next = Unpickler.Unpickle(pickle, program, output, options);
            next.TakeCountersFrom(vm);
            next.UnobservedFailure = unobservedFailure;
            if (statistics != null)
            {
                statistics.OnPickle?.Invoke(pickle);
                statistics.Pickles++;
                statistics.Bytes += pickle.Length;
                if (statistics.CheckRoundTrip)
                {
                    // Unpickling then pickling again must give the same bytes: nothing was lost or invented.
                    var again = Pickler.Pickle(next, program.Hash);
                    if (!again.AsSpan().SequenceEqual(pickle))
                        throw new PickleException("", $"pickle {statistics.Pickles} does not survive a round trip:\n{System.Text.Encoding.UTF8.GetString(pickle)}\n{System.Text.Encoding.UTF8.GetString(again)}");
                }
            }
            vm = next;
        }
    }
}

/// <summary>What a chaos run did, for tests.</summary>
internal sealed class ChaosStatistics
{
    public int Pickles;
    public long Bytes;
    /// <summary>Also pickle each unpickled VM again and require identical bytes.</summary>
    public bool CheckRoundTrip;
    /// <summary>Sees every pickle the run makes (tests collect them).</summary>
    public Action<byte[]>? OnPickle;
}
