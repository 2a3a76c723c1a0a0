using Newtonsoft.Json.Linq;

namespace Workflow.Hosting.Activities;

/// <summary>
/// Runs one attempt of an activity and returns its JSON result (null for None). Throwing fails the
/// attempt; the worker retries it while the task's budget lasts. A handler should honour
/// [ActivityContext.CancellationToken]: it is cancelled at the attempt's timeout and at shutdown.
/// </summary>
public delegate Task<JToken?> ActivityHandler(ActivityContext context);
