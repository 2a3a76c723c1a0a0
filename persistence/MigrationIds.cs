using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Workflow.Persistence;

/// <summary>
/// The ids of the migrations an assembly ships, read from their [Migration] attributes. Opening a
/// store compares them with the database's history table before it asks EF Core anything: when
/// every one is applied (the usual start) EF's model is never built, which is most of a worker's
/// start-up time (some 400 ms of a 1.9 s start to the first committed turn), and start-up is what
/// a crashed worker's restart costs. When one is missing, EF Core applies the migrations as ever.
/// </summary>
internal static class MigrationIds
{
    private static readonly ConcurrentDictionary<string, IReadOnlyList<string>> Cache = new();

    public static IReadOnlyList<string> Of(string migrationsAssembly) => Cache.GetOrAdd(migrationsAssembly, name =>
        Assembly.Load(name).GetTypes()
            .Select(type => type.GetCustomAttribute<MigrationAttribute>()?.Id)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList());

    /// <summary>Whether [applied] (the history table's ids) holds every migration [migrationsAssembly] ships.</summary>
    public static bool AllApplied(string migrationsAssembly, IReadOnlySet<string> applied) =>
        Of(migrationsAssembly) is { Count: > 0 } known && known.All(applied.Contains);
}
