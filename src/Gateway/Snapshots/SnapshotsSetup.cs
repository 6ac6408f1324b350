using VendorGate.Gateway.Attestations;
namespace VendorGate.Gateway.Snapshots;

public static class SnapshotsSetup
{
    /// <summary>Snapshots: the cutter (one cut at a time per process), its attestation job, diff and blame, and the
    /// collector of manifest nodes no snapshot holds.</summary>
    public static IServiceCollection AddSnapshots(this IServiceCollection services)
    {
        services.AddScoped(sp => new SnapshotManifests(sp.GetRequiredService<Storage.Blobs.IBlobStore>()));
        services.AddScoped<SnapshotCutter>();
        services.AddSingleton<SnapshotCutter.ProcessLock>();
        services.AddScoped<IAttestationKind, SnapshotAttestation>();
        services.AddScoped<BlameService>();
        services.AddScoped<SnapshotDiff>();
        services.AddScoped<ManifestChunkCollector>();
        return services;
    }
}
