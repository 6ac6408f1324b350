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
    public const string ReadScans = nameof(ReadScans);
    public const string ReportCanaries = nameof(ReportCanaries);
    public const string ReadEval = nameof(ReadEval);
    public const string Procure = nameof(Procure);
    public const string Rescan = nameof(Rescan);
    public const string Invite = nameof(Invite);
    public const string ReadDirectory = nameof(ReadDirectory);

    public static IServiceCollection AddIdentity(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(
                ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Administer, p => p.RequireRole(Roles.Admin))
            .AddPolicy(ManageRoster, p => p.RequireRole(Roles.Admin, Roles.VendorAdmin))
            .AddPolicy(Upload, p => p.RequireRole(Roles.Annotator, Roles.Contributor))
            .AddPolicy(ReadAudit, p => p.RequireRole(Roles.Auditor, Roles.Security, Roles.Admin))
            .AddPolicy(Merge, p => p.RequireRole(Roles.Maintainer))
            .AddPolicy(Override, p => p.RequireRole(Roles.Security))
            .AddPolicy(ReadCorpus, p => p.RequireRole(Roles.Maintainer, Roles.Security, Roles.Auditor, Roles.Contributor))
            .AddPolicy(ReadScans, p => p.RequireRole(Roles.Maintainer, Roles.Security, Roles.Auditor))
            .AddPolicy(ReportCanaries, p => p.RequireRole(Roles.EvalHarness))
            .AddPolicy(ReadEval, p => p.RequireRole(Roles.Maintainer, Roles.Security, Roles.Auditor, Roles.EvalHarness))
            .AddPolicy(Procure, p => p.RequireRole(Roles.Procurement))
            .AddPolicy(Rescan, p => p.RequireRole(Roles.Maintainer, Roles.Security))
            .AddPolicy(Invite, p => p.RequireRole(Roles.Admin, Roles.VendorAdmin))
            // Vendors, rosters and principals: everyone but the eval harness, which reads models and canaries only
            // (a vendor principal sees its own vendor; the handlers filter).
            .AddPolicy(ReadDirectory, p => p.RequireRole(Roles.Admin, Roles.Maintainer, Roles.Security, Roles.Procurement, Roles.Auditor,
                Roles.Contributor, Roles.VendorAdmin, Roles.Annotator));
        return services;
    }
}
