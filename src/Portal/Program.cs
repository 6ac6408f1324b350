using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection.Extensions;
using VendorGate.Client;
using VendorGate.Portal;

var builder = WebApplication.CreateBuilder(args);
// The request log line carries the query string, and a key must never reach a log: the hosting diagnostics log
// only warnings (sign-in refuses keys in the query anyway).
builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

var gatewayUrl = builder.Configuration["Portal:GatewayUrl"]
    ?? throw new InvalidOperationException("Set Portal:GatewayUrl (env Portal__GatewayUrl) to the Gateway's address, e.g. http://127.0.0.1:5000.");
builder.Services.AddKeyRing(builder.Configuration, builder.Environment);
builder.Services.AddTransient<SlowCallLogger>();
builder.Services.AddHttpContextAccessor();
builder.Services.TryAddSingleton(VendorGate.OffsetClock.From(builder.Configuration));
builder.Services.AddScoped<People>();
builder.Services.AddHttpClient<GatewayForwarder>(client => client.BaseAddress = new Uri(gatewayUrl)).AddHttpMessageHandler<SlowCallLogger>();
builder.Services.AddHttpClient(nameof(VendorGate.Client.VendorGateClient), client => client.BaseAddress = new Uri(gatewayUrl)).AddHttpMessageHandler<SlowCallLogger>();
// The typed client, calling with the signed-in person's credential.
builder.Services.AddScoped(sp => new VendorGate.Client.VendorGateClient(
    sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(VendorGate.Client.VendorGateClient)),
    sp.GetRequiredService<IHttpContextAccessor>().HttpContext?.User.FindFirst(PortalPolicies.KeyClaim)?.Value));
var oidc = builder.Configuration.GetSection(PortalOidcOptions.Section).Get<PortalOidcOptions>() ?? new PortalOidcOptions();
builder.Services.AddOptions<PortalOidcOptions>().BindConfiguration(PortalOidcOptions.Section);
builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(options =>
{
    options.LoginPath = "/SignIn";
    options.AccessDeniedPath = "/Forbidden";
    options.Cookie.Name = "vg_portal";
    options.Cookie.HttpOnly = true;
    options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // Secure whenever the Portal is served over HTTPS
    // Lax, not Strict: the provider's redirect back is a cross-site navigation, and a Strict cookie set at its end
    // would be missing on the first page. Every form still needs its antiforgery token (Strict cookie).
    options.Cookie.SameSite = SameSiteMode.Lax;
    options.ExpireTimeSpan = TimeSpan.FromHours(8);
    options.SlidingExpiration = true;
}).AddOidcSignIn(oidc);
builder.Services.AddAuthorizationBuilder()
    .AddPolicy(PortalPolicies.ReadVendors, p => p.RequireRole(PortalPolicies.VendorReaders))
    .AddPolicy(PortalPolicies.ReadVendor, p => p.RequireRole([.. PortalPolicies.VendorReaders, Roles.VendorAdmin]))
    .AddPolicy(PortalPolicies.Review, p => p.RequireRole(Roles.Maintainer))
    .AddPolicy(PortalPolicies.Revoke, p => p.RequireRole(Roles.Security))
    .AddPolicy(PortalPolicies.ReadRevocations, p => p.RequireRole(Roles.Security, Roles.Maintainer, Roles.Auditor))
    .AddPolicy(PortalPolicies.ReadAudit, p => p.RequireRole(Roles.Auditor, Roles.Security, Roles.Admin))
    .AddPolicy(PortalPolicies.Administer, p => p.RequireRole(Roles.Admin));
builder.Services.AddRazorPages(options =>
{
    options.Conventions.ConfigureFilter(new SignOutOnUnauthorizedFilter());
    options.Conventions.AuthorizeFolder("/");
    options.Conventions.AllowAnonymousToPage("/SignIn");
    options.Conventions.AllowAnonymousToPage("/Status");
    // A vendor-admin sees its own vendor's page (the Gateway answers 404 for any other); the list is staff's.
    options.Conventions.AuthorizeFolder("/Vendors", PortalPolicies.ReadVendor);
    options.Conventions.AuthorizePage("/Vendors/Index", PortalPolicies.ReadVendors);
    options.Conventions.AuthorizePage("/Vendors/Revoke", PortalPolicies.Revoke);
    options.Conventions.AuthorizeFolder("/Reviews", PortalPolicies.Review);
    options.Conventions.AuthorizeFolder("/Revocations", PortalPolicies.ReadRevocations);
    options.Conventions.AuthorizeFolder("/Snapshots", PortalPolicies.ReadRevocations);
    options.Conventions.AuthorizeFolder("/Audit", PortalPolicies.ReadAudit);
});

var app = builder.Build();
app.UseSecurityHeaders();
app.UseExceptionHandler("/Error");
app.UseStatusCodePagesWithReExecute("/Status/{0}"); // a page that says what happened, with its status code
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();
app.MapRazorPages();
app.MapJobsDashboard();
app.Run();

/// <summary>Entry point; public so tests can find the assembly.</summary>
public partial class Program;
