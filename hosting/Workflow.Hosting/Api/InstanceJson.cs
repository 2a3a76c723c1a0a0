using System.Globalization;
using Newtonsoft.Json.Linq;
using Workflow.Durable;
using Workflow.Pickling;

namespace Workflow.Hosting.Api;

/// <summary>Instances and programs as the REST API and `wf show` give them (one shape for both).</summary>
internal static class InstanceJson
{
    /// <summary>A row of a list: no input, result or error.</summary>
    public static JObject Summary(InstanceView instance) => new()
    {
        ["id"] = instance.Id,
        ["workflow"] = instance.Workflow,
        ["status"] = Status(instance.Status),
        ["parentId"] = instance.ParentId,
        ["turns"] = instance.Turns,
        ["createdAt"] = Time(instance.CreatedAt),
        ["updatedAt"] = Time(instance.UpdatedAt),
    };

    /// <summary>The whole instance: id, workflow, status, input, result, error (with its traceback), and, given [pending], what it waits for outside itself.</summary>
    public static JObject Full(InstanceView instance, PendingWork? pending = null)
    {
        var json = new JObject
        {
            ["id"] = instance.Id,
            ["workflow"] = instance.Workflow,
            ["status"] = Status(instance.Status),
            ["input"] = Value(instance.InputJson),
            ["result"] = Value(instance.ResultJson),
            ["error"] = instance.Error,
            ["parentId"] = instance.ParentId,
            ["version"] = instance.ProgramHash,
            ["turns"] = instance.Turns,
            ["createdAt"] = Time(instance.CreatedAt),
            ["updatedAt"] = Time(instance.UpdatedAt),
        };
        if (pending != null)
        {
            json["pending"] = new JObject
            {
                ["activities"] = new JArray(pending.Activities.Select(a => new JObject
                {
                    ["sequence"] = a.Sequence,
                    ["name"] = a.Name,
                    ["arguments"] = Value(a.ArgumentsJson),
                    ["attempts"] = a.Attempts,
                    ["lastError"] = a.LastError,
                })),
                ["timers"] = new JArray(pending.Timers.Select(t => new JObject { ["sequence"] = t.Sequence, ["dueAt"] = Time(t.DueAt) })),
            };
        }
        return json;
    }

    /// <summary>The frame chain read from the pickle, as `wf stack --json` and GET …/stack give it; PickleException when the pickle is damaged.</summary>
    public static JObject Stack(InstanceView instance)
    {
        var report = instance.Pickle == null ? new JObject { ["tasklets"] = new JArray() } : StackReport.Json(instance.Pickle);
        report.AddFirst(new JProperty("status", Status(instance.Status)));
        report.AddFirst(new JProperty("id", instance.Id));
        return report;
    }

    public static JObject Deployment(Deployment deployment) => new()
    {
        ["name"] = deployment.Name,
        ["version"] = deployment.Hash,
        ["deployedAt"] = Time(deployment.DeployedAt),
    };

    public static string Status(InstanceStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>ISO 8601 in UTC with milliseconds, as the store keeps them.</summary>
    public static string Time(DateTime time) =>
        DateTime.SpecifyKind(time, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Stored JSON text as a value (JSON null for none), written out as stored: the engine checked it
    /// when it was stored, and it may nest deeper than a JSON reader's default limit (64) allows.
    /// </summary>
    private static JToken Value(string? json) => json == null ? JValue.CreateNull() : new JRaw(json);
}
