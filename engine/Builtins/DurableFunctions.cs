using Workflow.Boundary;
using Workflow.Runtime;
using Workflow.Syntax;
using Workflow.Values;
using Workflow.Values.Numbers;

namespace Workflow.Builtins;

internal static partial class BuiltinFunctions
{
    /// <summary>
    /// The stackless additions that reach outside the instance: activity, sleep, sleep_until, child,
    /// gather, first, and the clock helpers now, days, hours, minutes (LANGUAGE.md). Values that
    /// leave the instance must be JSON data: anything else is a TypeError at the call.
    /// </summary>
    private static void AddDurableFunctions()
    {
        Add("activity", (a, k) =>
        {
            if (a.Length == 0) throw Errors.TypeError("activity() missing required argument 'name' (pos 1)");
            var name = a[0] as string ?? throw Errors.TypeError($"activity() name must be a string, not '{Ops.TypeName(a[0])}'");
            Arguments.OnlyKeywords("activity", k, "retries", "timeout");
            int? retries = null;
            if (Arguments.Keyword(k, "retries") is { } r and not PyNone)
            {
                var count = Arguments.Int(r);
                if (count < 0 || count > 1000) throw Errors.ValueError("activity() retries must be between 0 and 1000");
                retries = (int)count;
            }
            double? timeout = null;
            if (Arguments.Keyword(k, "timeout") is { } t and not PyNone)
            {
                timeout = Seconds("activity", "timeout", t);
                if (!(timeout > 0)) throw Errors.ValueError("activity() timeout must be a positive number of seconds");
            }
            var arguments = JsonValues.DumpsData(new PyList(a[1..].ToList()), $"activity '{name}' argument");
            return Vm.ActivityFuture(name, arguments, retries, timeout);
        });
        Add("sleep", (a, k) =>
        {
            Arguments.Count("sleep", a, 1, 1);
            Arguments.NoKeywords("sleep", k);
            return Vm.TimerFuture(Now() + Seconds("sleep", "seconds", a[0]));
        });
        Add("sleep_until", (a, k) =>
        {
            Arguments.Count("sleep_until", a, 1, 1);
            Arguments.NoKeywords("sleep_until", k);
            return Vm.TimerFuture(Seconds("sleep_until", "epoch_seconds", a[0]));
        });
        Add("child", (a, k) =>
        {
            Arguments.Count("child", a, 1, 2);
            Arguments.NoKeywords("child", k);
            var workflow = a[0] as string ?? throw Errors.TypeError($"child() workflow must be a string, not '{Ops.TypeName(a[0])}'");
            if (NameRules.Problem(workflow, NameKind.Workflow) is { } problem) throw Errors.ValueError($"child(): {problem}");
            var input = a.Length == 2 && a[1] is not PyNone ? JsonValues.DumpsData(a[1], $"child '{workflow}' input") : null;
            return Vm.ChildFuture(workflow, input);
        });
        Add("gather", (a, k) => { Arguments.NoKeywords("gather", k); return Vm.Combine(FutureKind.Gather, Futures("gather", a)); });
        Add("first", (a, k) =>
        {
            Arguments.NoKeywords("first", k);
            if (a.Length == 0) throw Errors.TypeError("first() needs at least one future");
            return Vm.Combine(FutureKind.First, Futures("first", a));
        });
        Add("now", (a, k) => { Arguments.Count("now", a, 0, 0); return Now(); });
        AddDuration("days", 86_400);
        AddDuration("hours", 3_600);
        AddDuration("minutes", 60);
    }

    /// <summary>The instance's clock in epoch seconds.</summary>
    private static double Now() => (Vm.Options.Clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / (double)TimeSpan.TicksPerSecond;

    private static double Seconds(string function, string parameter, object value)
    {
        double seconds = value switch
        {
            double d => d,
            bool => throw Errors.TypeError($"{function}() {parameter} must be a number, not 'bool'"),
            long or System.Numerics.BigInteger => IntOps.ToDouble(value),
            _ => throw Errors.TypeError($"{function}() {parameter} must be a number, not '{Ops.TypeName(value)}'"),
        };
        if (double.IsNaN(seconds) || double.IsInfinity(seconds)) throw Errors.ValueError($"{function}() {parameter} must be finite");
        return seconds;
    }

    private static PyFuture[] Futures(string function, object[] args) =>
        args.Select(x => x as PyFuture ?? throw Errors.TypeError($"{function}() arguments must be futures, not '{Ops.TypeName(x)}'")).ToArray();

    /// <summary>days(n), hours(n), minutes(n): n of them in seconds, an int for an int.</summary>
    private static void AddDuration(string name, long unit) =>
        Add(name, (a, k) =>
        {
            Arguments.Count(name, a, 1, 1);
            Arguments.NoKeywords(name, k);
            if (a[0] is bool || a[0] is not (long or double or System.Numerics.BigInteger))
                throw Errors.TypeError($"{name}() argument must be a number, not '{Ops.TypeName(a[0])}'");
            return Ops.Binary(BinaryOperator.Mult, a[0], Boxes.Int(unit), inPlace: false);
        });
}
