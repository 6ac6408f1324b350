using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Azure.Core;
using Npgsql;
using VendorGate.Attest.KeyVault;
using VendorGate.TestSupport;
using VendorGate.Gateway.Storage.Blobs;

// Test classes run in parallel, each on its own Gateway (own database, blobs, clock and Hangfire storage); the tests
// of one class share their Gateway and run one after another.
[assembly: CollectionBehavior(MaxParallelThreads = 4)]
[assembly: TestCollectionOrderer("VendorGate.Gateway.Tests.Infrastructure.LongRunningFirst", "VendorGate.Gateway.Tests")]

namespace VendorGate.Gateway.Tests.Infrastructure;

/// <summary>The Gateway in process with a fresh data folder. Subclasses choose the backend.</summary>
public abstract class GatewayApplication : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const int MaxLineBytes = 64 * 1024;
    public const long MaxBatchBytes = 4L * 1024 * 1024;
    public const int UploadBlockBytes = 64 * 1024;

    public string DataDir { get; } = Directory.CreateTempSubdirectory("vg-test-").FullName;

    public abstract string Backend { get; }

    /// <summary>Clients without the factory's redirect handler: the Gateway redirects no request, and the handler buffers
    /// every request body to be able to replay it (6 % of the hostile battery's CPU).</summary>
    protected GatewayApplication() => ClientOptions.AllowAutoRedirect = false;

    /// <summary>This Gateway's clock.</summary>
    public TestClock Clock { get; } = new();

    /// <summary>Eval probes a domain needs: 0 (off) for most tests, which upload to domains nobody covered.</summary>
    protected virtual int MinProbes => 0;

    protected virtual Dictionary<string, string?> Settings => new()
    {
        ["VendorGate:DataDir"] = DataDir,
        ["VendorGate:Ingest:MaxLineBytes"] = MaxLineBytes.ToString(),
        ["VendorGate:Ingest:MaxBatchBytes"] = MaxBatchBytes.ToString(),
        ["VendorGate:Ingest:UploadBlockBytes"] = UploadBlockBytes.ToString(),
        ["VendorGate:Ingest:WarmUp"] = "false", // dozens of test Gateways: a second of CPU each for nothing they measure
        ["VendorGate:Ingest:MaxInFlight"] = "0", // admission by what is in progress at the moment: its own tests turn it on
        ["VendorGate:Export:ShardBytes"] = "1024", // a few examples per Parquet file: every export has several shards
        ["VendorGate:Jobs:SchedulePollInterval"] = "00:00:00.500",
        ["VendorGate:Review:SensitiveDomains:0"] = "medical",
        ["VendorGate:Scan:EvalCoverage:MinProbes"] = MinProbes.ToString(), // the eval gate tests turn it on
        ["VendorGate:Jobs:RetryDelaysSeconds:0"] = "1",
        ["VendorGate:Jobs:RetryDelaysSeconds:1"] = "1",
        ["VendorGate:Jobs:RetryDelaysSeconds:2"] = "2",
        ["VendorGate:Jobs:RetryDelaysSeconds:3"] = "2",
        ["VendorGate:Jobs:RetryDelaysSeconds:4"] = "2",
        ["VendorGate:Jobs:RetryDelaysSeconds:5"] = "2",
        ["VendorGate:Jobs:RetryDelaysSeconds:6"] = "2",
        ["VendorGate:Jobs:RetryDelaysSeconds:7"] = "2",
        ["VendorGate:Webhooks:RetryDelaysSeconds:0"] = "1",
        ["VendorGate:Webhooks:RetryDelaysSeconds:1"] = "1",
        ["VendorGate:Webhooks:RetryDelaysSeconds:2"] = "1",
    };

    /// <summary>The webhook dispatcher's tick, at its default (a second) but for the Gateways whose tests receive
    /// deliveries: every tick is a query, and dozens of Gateways ticking five times a second cost the suite CPU.</summary>
    public const string FastWebhookDispatch = "00:00:00.200";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    public IBlobStore Blobs => Services.GetRequiredService<IBlobStore>();

    /// <summary>Where a Gateway started with <c>UseKestrel</c> listens (it is started if it was not).</summary>
    public Uri ListeningAddress
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
                .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
            return new Uri(addresses.First());
        }
    }

    public string AdminToken
    {
        get
        {
            StartServer(); // starts the host, which writes the bootstrap key
            return File.ReadAllText(Path.Combine(DataDir, "bootstrap-admin.key")).Trim();
        }
    }

    public HttpClient ClientFor(string? token)
    {
        var client = CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await CleanUpAsync();
        Directory.Delete(DataDir, recursive: true);
    }

    protected virtual Task CleanUpAsync() => Task.CompletedTask;
}

/// <summary>SQLite, filesystem blobs, in-memory Hangfire: what `dotnet run` uses.</summary>
public class EmbeddedGateway : GatewayApplication
{
    public override string Backend => "embedded";
}

/// <summary>The production components: a fresh database on the test PostgreSQL and a fresh container on Azurite
/// (both started by scripts/test.sh), and a Key Vault key of its own served by the HTTPS protocol fake.</summary>
public class ProductionGateway : GatewayApplication
{
    /// <summary>The key this Gateway signs with, its own in the vault it shares.</summary>
    public string KeyName { get; } = "gateway-" + Guid.NewGuid().ToString("N");

    /// <summary>The vault: by default one HTTPS protocol fake for every Gateway of this test process, each with its own
    /// key (a fake per class was more than half of a production Gateway's start-up cost: its server, its certificate,
    /// every TLS handshake); a class that takes the vault down has one to itself (<see cref="OwnVault"/>).</summary>
    public FakeKeyVault Vault { get; private set; } = null!;

    /// <summary>A vault of its own, for a class that takes it down or throttles it.</summary>
    protected virtual bool OwnVault => false;

    private static readonly Lazy<Task<FakeKeyVault>> SharedVault = new(FakeKeyVault.StartAsync);

    private readonly string _database = "vg_" + Guid.NewGuid().ToString("N");
    private readonly string _container = "vg" + Guid.NewGuid().ToString("N");

    public override string Backend => "production";

    private static string Require(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value
        : throw new InvalidOperationException($"{variable} is not set: run the suite with `bash scripts/test.sh`, which starts PostgreSQL and Azurite.");

    public string PostgresConnectionString => new NpgsqlConnectionStringBuilder(Require("VG_TEST_POSTGRES")) { Database = _database }.ConnectionString;

    protected override Dictionary<string, string?> Settings => new(base.Settings)
    {
        ["ConnectionStrings:Postgres"] = PostgresConnectionString,
        ["VendorGate:Blob:ConnectionString"] = Require("VG_TEST_AZURITE"),
        ["VendorGate:Blob:Container"] = _container,
        ["VendorGate:KeyVault:KeyId"] = new Uri(Vault.VaultUri, $"keys/{KeyName}").ToString(),
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<TokenCredential>(Vault.Credential);
            services.AddSingleton(new KeyVaultSignerOptions
            {
                Transport = Vault.Transport,
                CurrentKeyRefresh = TimeSpan.Zero, // rotation shows at once
                Retry = { MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(100) },
            });
        });
    }

    /// <summary>A second Gateway on the same database, container and vault: another process, as far as the Gateway can tell
    /// (its own service container, locks and connection pools).</summary>
    public WebApplicationFactory<Program> Sibling() => WithWebHostBuilder(b => b.UseSetting("VendorGate:Jobs:RunServer", "false"));

    public override async Task InitializeAsync()
    {
        Vault = OwnVault ? await FakeKeyVault.StartAsync() : await SharedVault.Value;
        Vault.CreateKey(KeyName);
        var template = await Template.Value;
        await using var connection = new NpgsqlConnection(Require("VG_TEST_POSTGRES"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {_database} TEMPLATE {template}", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A database migrated once per test process (the Gateway's migrations and Hangfire's schema), which each
    /// Gateway's database is created from: <c>CREATE DATABASE … TEMPLATE</c> copies files, where migrating a fresh
    /// database is a second of work per class. The Gateway still runs its migrations on start; they find nothing to do.</summary>
    private static readonly Lazy<Task<string>> Template = new(async () =>
    {
        var name = $"vg_template_{Environment.ProcessId}";
        await using (var connection = new NpgsqlConnection(Require("VG_TEST_POSTGRES")))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        // No pooling: a template must have no open connection when it is copied.
        var template = new NpgsqlConnectionStringBuilder(Require("VG_TEST_POSTGRES")) { Database = name, Pooling = false }.ConnectionString;
        await using (var db = new Storage.PostgresVendorGateDb(new Microsoft.EntityFrameworkCore.DbContextOptionsBuilder<Storage.PostgresVendorGateDb>()
                         .UseNpgsql(template).Options))
        {
            await db.Database.MigrateAsync();
        }
        await using (var connection = new NpgsqlConnection(template))
        {
            await connection.OpenAsync();
            Hangfire.PostgreSql.PostgreSqlObjectsInstaller.Install(connection);
        }
        return name;
    });

    protected override async Task CleanUpAsync()
    {
        if (OwnVault)
        {
            await Vault.DisposeAsync();
        }
        await using (var own = new NpgsqlConnection(PostgresConnectionString))
        {
            NpgsqlConnection.ClearPool(own); // this class's connections; the classes running beside it keep theirs
        }
        await using var connection = new NpgsqlConnection(Require("VG_TEST_POSTGRES"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>The production Gateway with a Key Vault to itself, which its tests take down.</summary>
public sealed class OwnVaultProductionGateway : ProductionGateway
{
    protected override bool OwnVault => true;
}

/// <summary>The embedded Gateway with the eval coverage gate at its default (one probe a domain).</summary>
public sealed class GatedEmbeddedGateway : EmbeddedGateway
{
    protected override int MinProbes => 1;
}

/// <summary>The production Gateway with the eval coverage gate at its default (one probe a domain).</summary>
public sealed class GatedProductionGateway : ProductionGateway
{
    protected override int MinProbes => 1;
}

/// <summary>The embedded Gateway with the compliance policy set to warn instead of refusing uploads.</summary>
public sealed class WarnOnlyEmbeddedGateway : EmbeddedGateway
{
    protected override Dictionary<string, string?> Settings => new(base.Settings) { ["VendorGate:Compliance:Enforcement"] = "warn" };
}

/// <summary>The production Gateway with the compliance policy set to warn instead of refusing uploads.</summary>
public sealed class WarnOnlyProductionGateway : ProductionGateway
{
    protected override Dictionary<string, string?> Settings => new(base.Settings) { ["VendorGate:Compliance:Enforcement"] = "warn" };
}

/// <summary>The embedded Gateway listening on a free loopback port (Kestrel), for clients run as processes.</summary>
public sealed class ListeningEmbeddedGateway : EmbeddedGateway
{
    public ListeningEmbeddedGateway() => UseKestrel(0);
}

/// <summary>The production Gateway listening on a free loopback port (Kestrel), for clients run as processes.</summary>
public sealed class ListeningProductionGateway : ProductionGateway
{
    public ListeningProductionGateway() => UseKestrel(0);
}

/// <summary>The embedded Gateway delivering webhooks to loopback (the test's receiver): AllowPrivateNetworks on.</summary>
public sealed class WebhookEmbeddedGateway : EmbeddedGateway
{
    protected override Dictionary<string, string?> Settings => new(base.Settings)
    {
        ["VendorGate:Webhooks:AllowPrivateNetworks"] = "true", ["VendorGate:Webhooks:PollInterval"] = FastWebhookDispatch,
    };
}

/// <summary>The production Gateway delivering webhooks to loopback (the test's receiver): AllowPrivateNetworks on.</summary>
public sealed class WebhookProductionGateway : ProductionGateway
{
    protected override Dictionary<string, string?> Settings => new(base.Settings)
    {
        ["VendorGate:Webhooks:AllowPrivateNetworks"] = "true", ["VendorGate:Webhooks:PollInterval"] = FastWebhookDispatch,
    };
}
