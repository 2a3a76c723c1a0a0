using System.Data.Common;
using Workflow.Durable;

namespace Workflow.Persistence;

/// <summary>How both stores write a program version's modules and read a version back: one way, whatever the provider.</summary>
internal static class StoredPrograms
{
    /// <summary>The modules as stored: a JSON object of module name → source, sorted by name; NULL (null) when there are none.</summary>
    public static string? ModulesJson(IReadOnlyDictionary<string, string>? modules) => modules is { Count: > 0 }
        ? Newtonsoft.Json.JsonConvert.SerializeObject(new SortedDictionary<string, string>(modules.ToDictionary(m => m.Key, m => m.Value), StringComparer.Ordinal))
        : null;

    /// <summary>The version in a row read as Hash, Name, Source, the time (created or deployed), ModulesJson.</summary>
    public static ProgramVersion Version(DbDataReader reader)
    {
        var modules = reader.IsDBNull(4)
            ? new Dictionary<string, string>()
            : Newtonsoft.Json.JsonConvert.DeserializeObject<Dictionary<string, string>>(reader.GetString(4))
              ?? throw new InvalidDataException($"program {reader.GetString(0)}: its modules are not a JSON object");
        return new ProgramVersion(reader.GetString(0), reader.GetString(1), reader.GetString(2), UnixTime.Time(reader.GetInt64(3)), modules);
    }
}
