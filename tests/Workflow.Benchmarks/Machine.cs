using System.Diagnostics;
using System.Runtime.InteropServices;
using Npgsql;
using Workflow.Tests.Shared;

namespace Workflow.Benchmarks;

/// <summary>What BENCHMARKS.md says about the machine: processor, memory, system, runtimes, database server.</summary>
internal static class Machine
{
    public static void Describe(Report report)
    {
        report.Machine("processor", $"{CpuModel()}, {Environment.ProcessorCount} cores");
        report.Machine("memory", MemoryTotal());
        report.Machine("system", $"{OsName()}, kernel {Read("/proc/sys/kernel/osrelease")?.Trim() ?? "?"}");
        report.Machine(".NET", RuntimeInformation.FrameworkDescription);
        report.Machine("python3", Command("python3", "--version") ?? "not found");
        report.Machine("PostgreSQL", PostgresVersion());
    }

    private static string CpuModel() =>
        Read("/proc/cpuinfo")?.Split('\n').FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
        ?? RuntimeInformation.ProcessArchitecture.ToString();

    private static string MemoryTotal()
    {
        var line = Read("/proc/meminfo")?.Split('\n').FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return line == null ? "?" : $"{double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024 / 1024:F1} GiB";
    }

    private static string OsName() =>
        Read("/etc/os-release")?.Split('\n').FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?["PRETTY_NAME=".Length..].Trim('"')
        ?? RuntimeInformation.OSDescription;

    /// <summary>The server WF_POSTGRES names (the worker-scaling section's), or why there is none.</summary>
    private static string PostgresVersion()
    {
        try
        {
            using var connection = new NpgsqlConnection(PostgresScratchDatabase.Server);
            connection.Open();
            using var command = new NpgsqlCommand("SELECT current_setting('server_version') || ', max_wal_size ' || current_setting('max_wal_size') || ', shared_buffers ' || current_setting('shared_buffers') || ', autovacuum_naptime ' || current_setting('autovacuum_naptime')", connection);
            return $"{command.ExecuteScalar()} (the server WF_POSTGRES names, on this machine)";
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ArgumentException)
        {
            return $"not reachable ({e.Message}): the workers section measured SQLite only";
        }
    }

    private static string? Read(string path) => File.Exists(path) ? File.ReadAllText(path) : null;

    private static string? Command(string file, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true });
            if (process == null) return null;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return output.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
