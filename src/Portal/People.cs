using System.Net;
using VendorGate.Client;

namespace VendorGate.Portal;

/// <summary>Names people the way the Portal always shows them: handle and vendor ("ann-a · Acme Labelling", or
/// "mia-maintainer · staff"), so two people never look alike. Read from the Gateway with the viewer's own credential,
/// once per request per person; what the viewer may not read stays an id.</summary>
public sealed class People(VendorGateClient gateway)
{
    private readonly Dictionary<Guid, string> _people = [];
    private readonly Dictionary<Guid, string> _vendors = [];
    private readonly Dictionary<Guid, string> _batches = [];

    public async Task<string> VendorAsync(Guid vendorId, CancellationToken ct)
    {
        if (!_vendors.TryGetValue(vendorId, out var name))
        {
            name = await TryGetAsync(() => gateway.GetVendorAsync(vendorId, ct)) is { } vendor ? vendor.Name : $"vendor {vendorId}";
            _vendors[vendorId] = name;
        }
        return name;
    }

    /// <summary>"handle · vendor" (or "· staff"), or the id when the viewer may not read that principal.</summary>
    public async Task<string> PersonAsync(Guid principalId, CancellationToken ct)
    {
        if (!_people.TryGetValue(principalId, out var name))
        {
            name = await TryGetAsync(() => gateway.GetPrincipalAsync(principalId, ct)) is { } p
                ? await DescribeAsync(p.Handle, p.VendorId, ct)
                : $"principal {principalId}";
            _people[principalId] = name;
        }
        return name;
    }

    public async Task<string> DescribeAsync(string handle, Guid? vendorId, CancellationToken ct) =>
        vendorId is { } vendor ? $"{handle} · {await VendorAsync(vendor, ct)}" : $"{handle} · staff";

    /// <summary>A batch by its justification (what people call it), or its id when the viewer may not read it.</summary>
    public async Task<string> BatchAsync(Guid batchId, CancellationToken ct)
    {
        if (!_batches.TryGetValue(batchId, out var name))
        {
            name = await TryGetAsync(() => gateway.GetBatchAsync(batchId, ct)) is { } batch ? $"batch “{batch.Justification}”" : $"batch {batchId}";
            _batches[batchId] = name;
        }
        return name;
    }

    /// <summary>What a revocation removed: the annotator as a person, or the one batch by its justification.</summary>
    public Task<string> RevokedAsync(RevocationView revocation, CancellationToken ct) =>
        revocation.AnnotatorId is { } annotator ? PersonAsync(annotator, ct) : BatchAsync(revocation.BatchId!.Value, ct);

    /// <summary>An audit actor or target by name: <c>principal:{id}</c> a person, <c>vendor:{id}</c> the vendor's name,
    /// <c>batch:{id}</c> the batch's justification, <c>revocation:{id}</c> what it revoked; anything else (a snapshot version, a system job) as written.</summary>
    public async Task<string> ReferenceAsync(string reference, CancellationToken ct)
    {
        var colon = reference.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !Guid.TryParse(reference[(colon + 1)..], out var id))
        {
            return reference;
        }
        return reference[..colon] switch
        {
            "principal" => await PersonAsync(id, ct),
            "vendor" => $"vendor {await VendorAsync(id, ct)}",
            "batch" => await BatchAsync(id, ct),
            "revocation" => await TryGetAsync(() => gateway.GetRevocationAsync(id, ct)) is { } revocation
                ? $"revocation of {await RevokedAsync(revocation, ct)}"
                : reference,
            _ => reference,
        };
    }

    /// <summary>The answer, or null when the viewer may not read it (404, 403).</summary>
    private static async Task<T?> TryGetAsync<T>(Func<Task<T>> read) where T : class
    {
        try
        {
            return await read();
        }
        catch (VendorGateProblemException e) when (e.Status is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            return null;
        }
    }
}
