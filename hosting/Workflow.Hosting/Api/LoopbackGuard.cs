using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Workflow.Hosting.Api;

/// <summary>
/// Refuses to start a server that would listen on a non-loopback address without an API key. It
/// looks twice: at the configured URLs before the server binds (the usual way to get it wrong:
/// <c>--urls http://0.0.0.0:5000</c>), and at the addresses actually bound once it has (endpoints
/// configured in code). Between the two, <see cref="ApiKeyAuthentication"/> refuses every request
/// that did not arrive on loopback, so nothing is served in the meantime.
/// </summary>
internal sealed class LoopbackGuard(IOptions<WorkflowOptions> options, IConfiguration configuration, IServiceProvider services) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (options.Value.ApiKey != null) return Task.CompletedTask;
        var urls = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Check(urls);
        // HTTP_PORTS / HTTPS_PORTS (the container images set them) bind every interface, unless URLs are given: those win.
        if (urls.Length == 0)
            foreach (var key in new[] { "http_ports", "https_ports" })
                if (!string.IsNullOrWhiteSpace(configuration[key])) Refuse($"{key}={configuration[key]} (every interface)");
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (options.Value.ApiKey != null) return Task.CompletedTask;
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses != null) Check(addresses);
        return Task.CompletedTask;
    }

    private static void Check(IEnumerable<string> urls)
    {
        foreach (var url in urls)
            if (!IsLoopback(url)) Refuse(url);
    }

    /// <summary>Whether [url] names a loopback host: localhost, 127.0.0.0/8 or [::1]. Wildcards (*, +, 0.0.0.0, [::]) are not.</summary>
    internal static bool IsLoopback(string url)
    {
        // Kestrel accepts wildcard hosts that Uri does not parse; they all mean every interface.
        var host = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        var end = host.StartsWith('[') ? host.IndexOf(']') + 1 : host.IndexOfAny([':', '/']);
        if (end > 0) host = host[..end];
        host = host.Trim('[', ']');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address);
    }

    private static void Refuse(string address) => throw new InvalidOperationException(
        $"refusing to serve the workflow API on {address} without an API key: set Workflow:ApiKey (wf serve: --api-key or WF_API_KEY), or listen on a loopback address such as http://127.0.0.1:5080");

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
