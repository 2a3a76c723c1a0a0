using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Workflow.Hosting.Api;

/// <summary>
/// Authenticates REST calls by the <c>X-Api-Key</c> header against <see cref="WorkflowOptions.ApiKey"/>.
/// With no key configured, only requests that arrived on a loopback address are let through: the
/// start-up check refuses other addresses, and this keeps a request from slipping in anyway.
/// </summary>
internal sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> schemes,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    IOptions<WorkflowOptions> workflow)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemes, loggers, encoder)
{
    public const string SchemeName = "WorkflowApiKey";
    public const string Header = "X-Api-Key";
    public const string Policy = "WorkflowApi";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var expected = workflow.Value.ApiKey;
        if (expected == null) return Task.FromResult(WithoutKey());
        if (!Request.Headers.TryGetValue(Header, out var given) || given.Count != 1 || string.IsNullOrEmpty(given[0]))
            return Task.FromResult(AuthenticateResult.NoResult());
        // Hashes of equal length compared in constant time: neither the key nor its length leaks through timing.
        var matches = CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given[0]!)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
        return Task.FromResult(matches ? Success("api-key") : AuthenticateResult.Fail($"the {Header} header does not match the configured key"));
    }

    /// <summary>
    /// Without a key, only this machine's own clients get in. A loopback connection is not enough:
    /// a web page the user visits can make the browser send requests to 127.0.0.1 (a form post
    /// needs no CORS preflight) or rebind its own host name to 127.0.0.1. So the Host header must
    /// name a loopback host, and a request a browser marks as coming from another site is refused.
    /// </summary>
    private AuthenticateResult WithoutKey()
    {
        var local = Context.Connection.LocalIpAddress;
        if (local != null && !IPAddress.IsLoopback(local))
            return AuthenticateResult.Fail("no API key is configured, so this server answers on loopback addresses only");
        if (!LoopbackGuard.IsLoopback(Request.Host.Value ?? ""))
            return AuthenticateResult.Fail($"no API key is configured, so requests must name a loopback host (Host: {Request.Host.Value} is not one)");
        var origins = Request.Headers.Origin;
        if (origins.Count > 0 && !(origins.Count == 1 && LoopbackGuard.IsLoopback(origins[0] ?? "")))
            return AuthenticateResult.Fail($"no API key is configured, so requests from other sites (Origin: {Request.Headers.Origin}) are refused");
        if (Request.Headers["Sec-Fetch-Site"] == "cross-site")
            return AuthenticateResult.Fail("no API key is configured, so cross-site requests are refused");
        return Success("anonymous (loopback)");
    }

    private AuthenticateResult Success(string name) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], SchemeName)), SchemeName));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var detail = result.Failure?.Message ?? $"send the API key in the {Header} header";
        Response.Headers.WWWAuthenticate = Header;
        await ApiProblems.Write(Context, StatusCodes.Status401Unauthorized, "api_key_required", "Missing or wrong API key", detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiProblems.Write(Context, StatusCodes.Status403Forbidden, "forbidden", "Forbidden", "this API key may not do that");
}
