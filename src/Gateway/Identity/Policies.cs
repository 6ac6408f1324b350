using Microsoft.AspNetCore.Authorization;

namespace VendorGate.Gateway.Identity;

/// <summary>Named authorization policies; ownership (which vendor) is enforced in each query.</summary>
public static class Policies
{
    public const string Administer = nameof(Administer);
    public const string ManageRoster = nameof(ManageRoster);
    public const string Upload = nameof(Upload);
    public const string ReadAudit = nameof(ReadAudit);
    public const string Merge = nameof(Merge);
    public const string Override = nameof(Override);
    public const string ReadCorpus = nameof(ReadCorpus);
    public const string Export = nameof(Export);
    public const string ReadBom = nameof(ReadBom);
    public const string ReadScans = nameof(ReadScans);
    public const string ReportCanaries = nameof(ReportCanaries);
    public const string ReadEval = nameof(ReadEval);
    public const string Procure = nameof(Procure);
    public const string Rescan = nameof(Rescan);
    public const string Invite = nameof(Invite);
    public const string ReadDirectory = nameof(ReadDirectory);
    public const string ReadStaff = nameof(ReadStaff);
    public const string ManageWebhooks = nameof(ManageWebhooks);

    public static IServiceCollection AddIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        var identity = configuration.GetSection(IdentityOptions.Section).Get<IdentityOptions>() ?? new IdentityOptions();
        Validate(identity);
        services.AddOptions<IdentityOptions>().BindConfiguration(IdentityOptions.Section);
        services.AddAuthentication(OidcAuthentication.Bearer)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(
                ApiKeyAuthenticationHandler.SchemeName, null)
            .AddOidcBearers(identity);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Administer, p => p.RequireRole(Roles.Admin))
            .AddPolicy(ManageRoster, p => p.RequireRole(Roles.Admin, Roles.VendorAdmin))
            .AddPolicy(Upload, p => p.RequireRole(Roles.Annotator, Roles.Contributor))
            .AddPolicy(ReadAudit, p => p.RequireRole(Roles.Auditor, Roles.Security, Roles.Admin))
            .AddPolicy(Merge, p => p.RequireRole(Roles.Maintainer))
            .AddPolicy(Override, p => p.RequireRole(Roles.Security))
            .AddPolicy(ReadCorpus, p => p.RequireRole(Roles.Maintainer, Roles.Security, Roles.Auditor, Roles.Contributor))
            // Exporting a snapshot writes files and a signed statement: those who read the corpus, except the auditor, who changes nothing.
            .AddPolicy(Export, p => p.RequireRole(Roles.Maintainer, Roles.Security, Roles.Contributor))
            // An AI-BOM: those who read the corpus, and procurement, who hands it to auditors and regulators.
            .AddPolicy(ReadBom, p => p.RequireRole(Roles.Maintainer, Roles.Security, Roles.Auditor, Roles.Contributor, Roles.Procurement))
            .AddPolicy(ReadScans, p => p.RequireRole(Roles.Maintainer, Roles.Security, Roles.Auditor))
            .AddPolicy(ReportCanaries, p => p.RequireRole(Roles.EvalHarness))
            .AddPolicy(ReadEval, p => p.RequireRole(Roles.Maintainer, Roles.Security, Roles.Auditor, Roles.EvalHarness))
            .AddPolicy(Procure, p => p.RequireRole(Roles.Procurement))
            .AddPolicy(Rescan, p => p.RequireRole(Roles.Maintainer, Roles.Security))
            .AddPolicy(ManageWebhooks, p => p.RequireRole(Roles.VendorAdmin, Roles.Admin, Roles.Maintainer, Roles.Security, Roles.Procurement, Roles.Auditor))
            .AddPolicy(Invite, p => p.RequireRole(Roles.Admin, Roles.VendorAdmin))
            // Who the staff are: staff who decide or check decisions; not vendors, not pipelines.
            .AddPolicy(ReadStaff, p => p.RequireRole(Roles.Admin, Roles.Maintainer, Roles.Security, Roles.Procurement, Roles.Auditor))
            // Vendors, rosters and principals: everyone but the eval harness, which reads models and canaries only
            // (a vendor principal sees its own vendor; the handlers filter).
            .AddPolicy(ReadDirectory, p => p.RequireRole(Roles.Admin, Roles.Maintainer, Roles.Security, Roles.Procurement, Roles.Auditor,
                Roles.Contributor, Roles.VendorAdmin, Roles.Annotator));
        return services;
    }

    /// <summary>A misconfigured identity section stops the start, with the key to fix: never a Gateway that quietly
    /// accepts keys where the deployment asked for OIDC.</summary>
    private static void Validate(IdentityOptions identity)
    {
        foreach (var (issuer, i) in identity.Oidc.Select((o, i) => (o, i)))
        {
            if (!Uri.TryCreate(issuer.Issuer, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps && !uri.IsLoopback)
            {
                throw new InvalidOperationException($"{IdentityOptions.Section}:Oidc:{i}:Issuer must be an https URL (http only on loopback), not '{issuer.Issuer}'.");
            }
            if (string.IsNullOrWhiteSpace(issuer.Audience))
            {
                throw new InvalidOperationException($"{IdentityOptions.Section}:Oidc:{i}:Audience is required: the aud of the provider's access tokens for the Gateway.");
            }
            if (issuer.RoleMap.Values.FirstOrDefault(r => !Roles.Staff.Contains(r)) is { } unknown)
            {
                throw new InvalidOperationException($"{IdentityOptions.Section}:Oidc:{i}:RoleMap maps to '{unknown}', which is not a staff role.");
            }
        }
        if (identity.RequireOidcFor.FirstOrDefault(a => !StaffActions.All.Contains(a)) is { } action)
        {
            throw new InvalidOperationException($"{IdentityOptions.Section}:RequireOidcFor: unknown action '{action}'; the actions are {string.Join(", ", StaffActions.All)}.");
        }
        if (identity.RequireOidcFor.Length > 0 && identity.Oidc.Count == 0)
        {
            throw new InvalidOperationException($"{IdentityOptions.Section}:RequireOidcFor needs at least one {IdentityOptions.Section}:Oidc issuer.");
        }
    }
}
