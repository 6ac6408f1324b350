using FluentValidation;
using Microsoft.Extensions.DependencyInjection.Extensions;
using VendorGate.Gateway.Attestations;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Batches;
using VendorGate.Gateway.Batches.Uploads;
using VendorGate.Gateway.Scanning;
using VendorGate.Gateway.Compliance;
using VendorGate.Gateway.Boms;
using VendorGate.Gateway.Eval;
using VendorGate.Gateway.Exports;
using VendorGate.Gateway.Health;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Reviews;
using VendorGate.Gateway.Revocations;
using VendorGate.Gateway.Snapshots;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;
using VendorGate.Gateway.Vendors;
using VendorGate.Gateway.Webhooks;

// Names are NFC-normalised (ICU, not invariant globalization), yet nothing depends on the machine's culture.
System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
System.Globalization.CultureInfo.DefaultThreadCurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ProviderUnavailableHandler>();
builder.Services.TryAddSingleton(VendorGate.OffsetClock.From(builder.Configuration)); // in-process tests set their own clock
builder.Services.AddStorage(builder.Configuration);
builder.Services.AddIdentity(builder.Configuration);
builder.Services.AddScoped<AuditLog>();
builder.Services.AddScoped<AuditTree>();
builder.Services.AddBatches();
builder.Services.AddScanning();
builder.Services.AddReviews();
builder.Services.AddSnapshots();
builder.Services.AddRevocations();
builder.Services.AddExports();
builder.Services.AddScoped<BomMaker>();
builder.Services.AddEval();
builder.Services.AddCompliance();
builder.Services.AddSigning();
builder.Services.AddWebhooks(builder.Configuration);
builder.Services.AddBackgroundJobs(builder.Configuration);
builder.Services.AddApiDocumentation();
builder.Services.AddValidatorsFromAssemblyContaining<Program>();

var app = builder.Build();

await app.Services.InitializeStorageAsync();
await BootstrapAdmin.EnsureAsync(app.Services);
await SigningKeyRegistry.PublishCurrentAsync(app.Services);
await StalledJobs.ScheduleAsync(app.Services);
await VendorGate.Gateway.Storage.Blobs.StagingCleanup.ScheduleAsync(app.Services);
await UploadSessionCleanup.ScheduleAsync(app.Services);
await ScanShardCleanup.ScheduleAsync(app.Services);
ManifestChunkCollector.Schedule(app.Services);
app.Services.ScheduleCompliance();
await WebhookSender.ResumeAsync(app.Services);
WebhookRetention.Schedule(app.Services);

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseNulGuard();
app.Use((context, next) =>
{
    context.Response.Headers.XContentTypeOptions = "nosniff"; // evidence and reports are served as files: never sniffed
    return next(context);
});
app.UseApiDocumentation();
app.UseAuthentication();
app.UseAuthorization();

app.MapHealth();
app.MapIdentity();
app.MapVendors()                 // /v1/vendors, and under one vendor:
    .MapVendorSigningKeys()       //   /signing-keys
    .MapCompliance()              //   /evidence, /compliance, /report.pdf, /reports, /revocation-acknowledgement
    .MapComplianceExceptions()    //   /exceptions, /revocation-reviews
    .MapAnnotatorProfiles();      //   /annotators/{annotatorId}/profile
app.MapBatches()                  // /v1/batches, and under one batch:
    .MapUploads()                 //   /uploads (resumable)
    .MapVendorStatements()        //   /statement
    .MapBatchAttestation()        //   /attestation
    .MapRescan()                  //   /scan
    .MapReviews();                //   /reviews, /overrides
app.MapAttestations();
app.MapSnapshots();
app.MapModels()                   // /v1/models, and under one model:
    .MapModelGates();             //   /canary-results, /gate, /gate/attestation
app.MapRevocations();
app.MapExports();                 // /v1/snapshots/{version}/exports, /v1/exports
app.MapBoms();                    // /v1/snapshots/{version}/bom, /v1/models/{name}/bom
app.MapAudit();
app.MapScanning();
app.MapEval();
app.MapWebhooks();
app.MapJobsDashboard();

app.Run();

/// <summary>Entry point; public so the test host can start it.</summary>
public partial class Program;
