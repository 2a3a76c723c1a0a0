using Newtonsoft.Json.Linq;

namespace Workflow.Hosting.Activities;

/// <summary>What an activity handler receives for one attempt.</summary>
public sealed class ActivityContext
{
    public ActivityContext(string name, JArray arguments, string idempotencyKey, int attempt, CancellationToken cancellationToken)
    {
        Name = name;
        Arguments = arguments;
        IdempotencyKey = idempotencyKey;
        Attempt = attempt;
        CancellationToken = cancellationToken;
    }

    /// <summary>The name the script called, e.g. `charge_card`.</summary>
    public string Name { get; }

    /// <summary>The script's positional arguments, as JSON.</summary>
    public JArray Arguments { get; }

    /// <summary>
    /// Instance id + "/" + the call's sequence number: the same on every attempt and after a crash,
    /// so a handler can pass it on (an `Idempotency-Key` header, a unique column) to make its effect happen once.
    /// </summary>
    public string IdempotencyKey { get; }

    /// <summary>Which attempt this is, counting from 1 across crashes (the count is stored).</summary>
    public int Attempt { get; }

    /// <summary>Cancelled when the attempt times out or the worker stops.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The argument at [index], or null when the script passed fewer.</summary>
    public JToken? Argument(int index) => index < Arguments.Count ? Arguments[index] : null;
}
