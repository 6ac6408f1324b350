using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Identity;

/// <summary>Authenticates <c>Authorization: Bearer vg_…</c>. Unknown, revoked and expired keys get a 401 problem.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    VendorGateDb db, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    private static readonly TimeSpan LastUsedGranularity = TimeSpan.FromMinutes(1);
    private static readonly byte[] NoSuchKeyHash = new byte[32];

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var token = header[7..].Trim();
        if (!ApiKeyToken.TryParse(token, out var keyId, out var secret))
        {
            return AuthenticateResult.Fail(token.Count(c => c == '.') == 2
                ? "The token's issuer is not one this Gateway trusts (VendorGate:Identity:Oidc)."
                : "The API key is malformed: expected vg_<keyid>_<secret>.");
        }

        // One index seek, one row, whether the id exists or not: the key itself or, for an unknown id, the next key in
        // id order, read and compared in the same way and then refused. So the time of a 401 does not tell which key
        // ids exist (bash scripts/bench.sh auth measures it).
        var row = await db.ApiKeys.AsNoTracking().Include(k => k.Principal).Where(k => string.Compare(k.Id, keyId) >= 0)
            .OrderBy(k => k.Id).FirstOrDefaultAsync(Context.RequestAborted);
        var matches = ApiKeyToken.Matches(secret, row?.SecretHash ?? NoSuchKeyHash);
        var key = row?.Id == keyId ? row : null;
        if (!matches || key?.Principal is not { } principal)
        {
            return AuthenticateResult.Fail("The API key is not known.");
        }
        var now = time.Now();
        if (key.RevokedAt is not null || principal.RevokedAt is not null)
        {
            return AuthenticateResult.Fail("The API key has been revoked.");
        }
        if (key.ExpiresAt <= now)
        {
            return AuthenticateResult.Fail("The API key has expired.");
        }
        if (key.LastUsedAt is null || now - key.LastUsedAt > LastUsedGranularity)
        {
            await RecordUseAsync(keyId, now);
        }

        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, principal.Id.ToString()),
            new(Caller.HandleClaim, principal.Handle),
            new(Caller.KindClaim, principal.Kind),
            new(Caller.CredentialClaim, key.Origin),
            .. principal.Roles.Select(r => new Claim(ClaimTypes.Role, r)),
        ];
        if (principal.VendorId is { } vendorId)
        {
            claims.Add(new Claim(Caller.VendorClaim, vendorId.ToString()));
        }
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        Response.Headers.WWWAuthenticate = "Bearer";
        await AuthProblems.WriteAsync(Context, 401, "unauthorized", failure ?? "An API key is required (Authorization: Bearer vg_<keyid>_<secret>), or a staff member's OpenID Connect access token.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        AuthProblems.WriteAsync(Context, 403, "forbidden", AuthProblems.ForbiddenDetail);

    /// <summary>Marks the key used, at most once a minute. A marker, never worth the request: when the database is busy
    /// with a long write (SQLite has one writer; a scan of a million examples holds it for a while) it waits a second
    /// at most, then leaves the marker to the next request.</summary>
    private async Task RecordUseAsync(string keyId, DateTimeOffset now)
    {
        var timeout = db.Database.GetCommandTimeout();
        db.Database.SetCommandTimeout(TimeSpan.FromSeconds(1));
        try
        {
            await db.ApiKeys.Where(k => k.Id == keyId).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), Context.RequestAborted);
        }
        catch (System.Data.Common.DbException e) when (!Context.RequestAborted.IsCancellationRequested)
        {
            Logger.LogInformation("The last use of key {KeyId} was not recorded (the database is busy: {Reason}); the next request records it", keyId, e.Message);
        }
        finally
        {
            db.Database.SetCommandTimeout(timeout);
        }
    }
}
