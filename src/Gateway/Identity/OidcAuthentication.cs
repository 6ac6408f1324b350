using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Identity;

/// <summary>Staff bearer tokens from the configured OpenID providers. A token proves who signed in at the provider;
/// the Gateway decides who that is here: the staff principal an admin registered for that issuer and subject (or
/// verified e-mail, bound to the subject at the first sign-in), with that principal's roles.</summary>
public static class OidcAuthentication
{
    /// <summary>The default scheme: API keys (<c>vg_…</c>) go to <see cref="ApiKeyAuthenticationHandler"/>, JWTs to the
    /// scheme of the issuer they name.</summary>
    public const string Bearer = "Bearer";
    public const string Credential = "oidc";
    public const string IssuerClaim = "oidc_iss";
    public const string SubjectClaim = "oidc_sub";

    private static string SchemeOf(int index) => $"oidc-{index}";

    public static AuthenticationBuilder AddOidcBearers(this AuthenticationBuilder auth, IdentityOptions options)
    {
        for (var i = 0; i < options.Oidc.Count; i++)
        {
            var issuer = options.Oidc[i];
            auth.AddJwtBearer(SchemeOf(i), jwt =>
            {
                jwt.Authority = issuer.Issuer;
                jwt.Audience = issuer.Audience;
                jwt.RequireHttpsMetadata = issuer.RequireHttpsMetadata;
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters.ValidIssuer = issuer.Issuer;
                jwt.TokenValidationParameters.ValidAudience = issuer.Audience;
                jwt.TokenValidationParameters.ClockSkew = TimeSpan.FromMinutes(1);
                jwt.Events = new JwtBearerEvents
                {
                    OnTokenValidated = context => BindAsync(context, issuer),
                    // The provider's keys could not be fetched (it is down, or unreachable): a refusal that says so, not a 500.
                    OnAuthenticationFailed = async context =>
                    {
                        if (!await ReachableAsync(context.Options, context.HttpContext.RequestAborted))
                        {
                            context.Fail($"The OpenID provider {issuer.Issuer} could not be reached to check the token; try again shortly.");
                        }
                    },
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        var reason = context.AuthenticateFailure?.Message ?? "A bearer token is required.";
                        context.Response.Headers.WWWAuthenticate = "Bearer";
                        await AuthProblems.WriteAsync(context.HttpContext, 401, "unauthorized", reason);
                    },
                    OnForbidden = context => AuthProblems.WriteAsync(context.HttpContext, 403, "forbidden", AuthProblems.ForbiddenDetail),
                };
            });
        }
        auth.AddPolicyScheme(Bearer, "API key or OpenID Connect token", policy => policy.ForwardDefaultSelector = context =>
        {
            var header = context.Request.Headers.Authorization.ToString();
            var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
            if (token.StartsWith(ApiKeyToken.Prefix, StringComparison.Ordinal) || token.Count(c => c == '.') != 2)
            {
                return ApiKeyAuthenticationHandler.SchemeName;
            }
            string? iss;
            try
            {
                iss = new JsonWebToken(token).Issuer;
            }
            catch (ArgumentException)
            {
                return ApiKeyAuthenticationHandler.SchemeName;
            }
            var index = options.Oidc.FindIndex(o => o.Issuer == iss);
            return index >= 0 ? SchemeOf(index) : ApiKeyAuthenticationHandler.SchemeName;
        });
        return auth;
    }

    /// <summary>Whether the provider's discovery document and keys could be read (cached by the handler).</summary>
    private static async Task<bool> ReachableAsync(JwtBearerOptions options, CancellationToken ct)
    {
        try
        {
            await options.ConfigurationManager!.GetConfigurationAsync(ct);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task BindAsync(TokenValidatedContext context, OidcIssuerOptions issuer)
    {
        var token = context.Principal!;
        var subject = token.FindFirstValue(issuer.SubjectClaim);
        if (string.IsNullOrEmpty(subject))
        {
            context.Fail($"The token has no '{issuer.SubjectClaim}' claim.");
            return;
        }
        var db = context.HttpContext.RequestServices.GetRequiredService<VendorGateDb>();
        var ct = context.HttpContext.RequestAborted;
        var principal = await db.Principals.FirstOrDefaultAsync(p => p.OidcIssuer == issuer.Issuer && p.OidcSubject == subject, ct);
        if (principal is null && token.FindFirstValue("email_verified") == "true" && token.FindFirstValue("email") is { Length: > 0 } email)
        {
            // Registered by e-mail: bound to this subject now, so a later change of address at the provider moves nothing.
            var address = Principal.NormalizeEmail(email);
            principal = await db.Principals.FirstOrDefaultAsync(p => p.OidcIssuer == issuer.Issuer && p.OidcSubject == null && p.OidcEmail == address, ct);
            if (principal is not null)
            {
                principal.OidcSubject = subject;
                await context.HttpContext.RequestServices.GetRequiredService<AuditLog>()
                    .RecordAsync($"principal:{principal.Id}", "principal.oidc-bound", $"principal:{principal.Id}", new { issuer = issuer.Issuer, subject }, ct);
            }
        }
        if (principal is not { Kind: PrincipalKinds.Staff })
        {
            context.Fail($"No staff member is registered for subject '{subject}' of {issuer.Issuer}: an admin registers them first (POST /v1/staff with oidc).");
            return;
        }
        if (principal.RevokedAt is not null)
        {
            context.Fail("This staff member has been deactivated.");
            return;
        }
        var roles = principal.Roles.AsEnumerable();
        if (issuer.RoleClaim is { Length: > 0 } roleClaim)
        {
            var granted = token.FindAll(roleClaim).Select(c => issuer.RoleMap.Count == 0 ? c.Value : issuer.RoleMap.GetValueOrDefault(c.Value)).ToHashSet();
            roles = roles.Where(granted.Contains);
        }
        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, principal.Id.ToString()),
            new(Caller.HandleClaim, principal.Handle),
            new(Caller.KindClaim, principal.Kind),
            new(Caller.CredentialClaim, Credential),
            new(IssuerClaim, issuer.Issuer),
            new(SubjectClaim, subject),
            .. roles.Select(r => new Claim(ClaimTypes.Role, r)),
        ];
        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Credential));
    }

    /// <summary>Refuses an API key for a staff action the deployment reserves to OpenID Connect sign-in.</summary>
    public static TBuilder RequireOidcFor<TBuilder>(this TBuilder builder, string action) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var options = context.HttpContext.RequestServices.GetRequiredService<IOptions<IdentityOptions>>().Value;
            if (options.RequireOidcFor.Contains(action) && context.HttpContext.User.FindFirstValue(Caller.CredentialClaim) != Credential)
            {
                return Problems.Create(403, "oidc-required",
                    $"This deployment requires staff to sign in through OpenID Connect to {action}: an API key is refused for it.");
            }
            return await next(context);
        });
}

/// <summary>The 401 and 403 problems every authentication scheme answers with.</summary>
public static class AuthProblems
{
    public const string ForbiddenDetail = "Your roles do not allow this operation.";

    public static Task WriteAsync(HttpContext context, int status, string code, string detail)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = status,
                Type = Problems.TypePrefix + code,
                Title = status == 401 ? "Unauthorized" : "Forbidden",
                Detail = detail,
                Extensions = { ["code"] = code },
            },
        }).AsTask();
    }
}
