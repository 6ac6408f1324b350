using VendorGate.Gateway.Attestations;

namespace VendorGate.Gateway.Exports;

public static class ExportsSetup
{
    /// <summary>Exports: the job that writes a snapshot's files, the shard writer, and the statement of their digests.</summary>
    public static IServiceCollection AddExports(this IServiceCollection services) =>
        services.AddScoped<ExportJob>().AddSingleton<ParquetShardWriter>().AddScoped<IAttestationKind, ExportAttestation>();
}
