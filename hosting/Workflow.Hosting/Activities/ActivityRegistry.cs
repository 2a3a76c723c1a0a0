using System.Collections.Concurrent;
using Newtonsoft.Json.Linq;

namespace Workflow.Hosting.Activities;

/// <summary>
/// The activities a host can run, by the name scripts call them with. The built-ins (`echo`,
/// `http_get`, `http_post`) are there from the start; adding a handler under a taken name replaces it.
/// Safe to change while a worker runs: a task picks up the handler registered when it starts.
/// </summary>
public sealed class ActivityRegistry
{
    private readonly ConcurrentDictionary<string, ActivityHandler> _handlers = new(StringComparer.Ordinal);

    /// <summary>A registry with the built-ins; `http_get` and `http_post` use a shared HttpClient.</summary>
    public ActivityRegistry() : this(BuiltinActivities.SharedHttp) { }

    /// <summary>A registry with the built-ins, sending their HTTP requests through [http].</summary>
    public ActivityRegistry(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        BuiltinActivities.AddTo(this, http);
    }

    /// <summary>The registered names, in no particular order.</summary>
    public IReadOnlyCollection<string> Names => _handlers.Keys.ToArray();

    /// <summary>Registers [handler] under [name], replacing any handler there.</summary>
    public ActivityRegistry Add(string name, ActivityHandler handler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(handler);
        _handlers[name] = handler;
        return this;
    }

    /// <summary>Registers a synchronous [handler] under [name], replacing any handler there.</summary>
    public ActivityRegistry Add(string name, Func<ActivityContext, JToken?> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(name, context => Task.FromResult(handler(context)));
    }

    /// <summary>Unregisters [name]; scripts calling it then fail with "no activity named …".</summary>
    public bool Remove(string name) => _handlers.TryRemove(name, out _);

    public bool Contains(string name) => _handlers.ContainsKey(name);

    public bool TryGet(string name, out ActivityHandler handler) => _handlers.TryGetValue(name, out handler!);
}
