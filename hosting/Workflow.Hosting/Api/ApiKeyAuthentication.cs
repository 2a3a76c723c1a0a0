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
        if (expected == null)
        {
            var local = Context.Connection.LocalIpAddress;
            return Task.FromResult(local == null || IPAddress.IsLoopback(local)
                ? Success("anonymous (loopback)")
                : AuthenticateResult.Fail("no API key is configured, so this server answers on loopback addresses only"));
        }
        if (!Request.Headers.TryGetValue(Header, out var given) || given.Count != 1 || string.IsNullOrEmpty(given[0]))
            return Task.FromResult(AuthenticateResult.NoResult());
        // Constant-time comparison: the key must not leak through response timing.
        var matches = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given[0]!), Encoding.UTF8.GetBytes(expected));
        return Task.FromResult(matches ? Success("api-key") : AuthenticateResult.Fail($"the {Header} header does not match the configured key"));
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
