namespace VendorGate.Gateway.Storage.Blobs;

/// <summary><c>VendorGate:Blob</c>: which store holds the blobs (files under the data folder unless an Azure Blob
/// Storage account is named) and how long an abandoned staged upload is kept.</summary>
public sealed class BlobOptions
{
    public string? ConnectionString { get; set; }
    public string? AccountUrl { get; set; }
    public string Container { get; set; } = "vendorgate";

    /// <summary>Staged uploads untouched for this long were abandoned (a crash mid-upload or mid-cut) and are removed,
    /// at start-up and every hour. An upload in progress touches its staging file with every write.</summary>
    public TimeSpan StagingMaxAge { get; set; } = TimeSpan.FromHours(6);

    public bool UsesAzure => !string.IsNullOrEmpty(ConnectionString) || !string.IsNullOrEmpty(AccountUrl);
}
