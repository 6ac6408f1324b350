using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Storage.Blobs;
using VendorGate.Gateway.Storage.Blobs.AzureBlob;
using VendorGate.Gateway.Storage.Blobs.FileSystem;

namespace VendorGate.Gateway.Storage;

public static class StorageSetup
{
    /// <summary>SQLite under the data folder unless <c>ConnectionStrings:Postgres</c> is set; filesystem blobs
    /// unless <c>VendorGate:Blob:ConnectionString</c> or <c>VendorGate:Blob:AccountUrl</c> is set.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<VendorGateOptions>().BindConfiguration(VendorGateOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.DataDir), "VendorGate:DataDir must not be empty")
            .Validate(o => o.Ingest.MaxLineBytes > 0 && o.Ingest.MaxBatchBytes > 0, "VendorGate:Ingest limits must be positive")
            .Validate(o => o.Ingest.UploadBlockBytes is >= 1 << 16 and <= 256 << 20, "VendorGate:Ingest:UploadBlockBytes must be between 64 KiB and 256 MiB")
            .Validate(o => o.Ingest.UploadSessionLifetime > TimeSpan.Zero, "VendorGate:Ingest:UploadSessionLifetime must be positive")
            .Validate(o => o.Ingest.StreamingSessions >= 0, "VendorGate:Ingest:StreamingSessions must not be negative")
            .Validate(o => o.Ingest.MaxConcurrentUploads >= 1, "VendorGate:Ingest:MaxConcurrentUploads must be at least 1")
            .Validate(o => o.Ingest.MaxInFlight >= 0, "VendorGate:Ingest:MaxInFlight is 0 (never refuse) or more")
            .Validate(o => o.Ingest.SlowStart >= TimeSpan.Zero, "VendorGate:Ingest:SlowStart must not be negative")
            .Validate(o => o.Export.ShardBytes >= 1 << 10, "VendorGate:Export:ShardBytes must be at least 1 KiB")
            .Validate(o => o.SqliteBusyTimeout >= TimeSpan.FromSeconds(1), "VendorGate:SqliteBusyTimeout must be at least a second")
            .Validate(o => o.SqliteWalCheckpointPages > 0, "VendorGate:SqliteWalCheckpointPages must be more than 0")
            .ValidateOnStart();

        // Pooled contexts: a request's context is set up once and reset after use, not built afresh (its internal
        // services resolved) on every request; that set-up was a sixth of an authenticated request's CPU.
        // Migrating on start does not diff the model against the migrations' snapshot (EF's pending-model-changes
        // check, ~0.2 s of CPU in a fresh process's start by perf): a test does, once per provider (MigrationsTests).
        // A batch is read with its findings, reviews and overrides, a handful of each, in one query (the product of
        // their rows) rather than one round trip each: said here, EF does not warn about it on every start.
        var postgres = PostgresConnection.FromConfiguration(configuration);
        if (!string.IsNullOrEmpty(postgres))
        {
            services.AddDbContextPool<VendorGateDb, PostgresVendorGateDb>(o => o.UseNpgsql(postgres, OneQuery).ConfigureWarnings(NoModelDiffOnMigrate));
        }
        else
        {
            services.AddDbContextPool<VendorGateDb, SqliteVendorGateDb>((sp, o) =>
            {
                var options = sp.GetRequiredService<IOptions<VendorGateOptions>>().Value;
                o.UseSqlite($"Data Source={Path.Combine(options.FullDataDir, "vendorgate.db")};Default Timeout={(int)Math.Ceiling(options.SqliteBusyTimeout.TotalSeconds)}", OneQuery)
                    .AddInterceptors(new SqliteConnectionSettings(options.SqliteBusyTimeout, options.SqliteWalCheckpointPages)).ConfigureWarnings(NoModelDiffOnMigrate);
            });
        }

        services.AddSingleton<StagingCleanup>();
        services.AddSingleton<IBlobStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<VendorGateOptions>>().Value;
            if (!options.Blob.UsesAzure)
            {
                return new FileSystemBlobStore(Path.Combine(options.FullDataDir, "blobs"), sp.GetRequiredService<TimeProvider>());
            }
            var client = !string.IsNullOrEmpty(options.Blob.ConnectionString)
                ? new BlobServiceClient(options.Blob.ConnectionString)
                : new BlobServiceClient(new Uri(options.Blob.AccountUrl!), new DefaultAzureCredential());
            return new AzureBlobStore(client.GetBlobContainerClient(options.Blob.Container));
        });
        services.AddScoped<ExampleIndex>();
        return services;
    }

    private static void NoModelDiffOnMigrate(WarningsConfigurationBuilder warnings) =>
        warnings.Ignore(RelationalEventId.PendingModelChangesWarning);

    private static void OneQuery<TBuilder, TExtension>(RelationalDbContextOptionsBuilder<TBuilder, TExtension> provider)
        where TBuilder : RelationalDbContextOptionsBuilder<TBuilder, TExtension>
        where TExtension : RelationalOptionsExtension, new() =>
        provider.UseQuerySplittingBehavior(QuerySplittingBehavior.SingleQuery);

    /// <summary>Creates the data folder, applies migrations and makes sure the blob container exists.</summary>
    public static async Task InitializeStorageAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var options = services.GetRequiredService<IOptions<VendorGateOptions>>().Value;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(options.FullDataDir);
        }
        else
        {
            Directory.CreateDirectory(options.FullDataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VendorGateDb>();
        if (db.IsPostgres)
        {
            // EF's migration lock reads the history table before creating it, and on an empty database logs that read's
            // failure as an error ("Failed executing DbCommand … __EFMigrationsHistory"), which is alarming on a first
            // start that is going fine. The database (if missing) and the table as EF would create it, first.
            var creator = Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<Microsoft.EntityFrameworkCore.Storage.IRelationalDatabaseCreator>(db);
            if (!await creator.ExistsAsync(cancellationToken))
            {
                await creator.CreateAsync(cancellationToken);
            }
            await db.Database.ExecuteSqlRawAsync(
                """CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" ("MigrationId" character varying(150) NOT NULL PRIMARY KEY, "ProductVersion" character varying(32) NOT NULL)""",
                cancellationToken);
        }
        await db.Database.MigrateAsync(cancellationToken);
        if (!db.IsPostgres)
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
        if (services.GetRequiredService<IBlobStore>() is AzureBlobStore azure)
        {
            await azure.EnsureContainerAsync(cancellationToken);
        }
    }
}
