using System.Text.Json;
using System.Text.Json.Nodes;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Webhooks;

/// <summary>The events a webhook may ask for, and how a change records one.</summary>
public static class WebhookEvents
{
    public const string All = "*";
    public const string BatchReceived = "batch.received";
    public const string BatchScanned = "batch.scanned";
    public const string BatchApproved = "batch.approved";
    public const string BatchRejected = "batch.rejected";
    public const string BatchRevoked = "batch.revoked";
    public const string SnapshotCut = "snapshot.cut";
    public const string RevocationCompleted = "revocation.completed";
    public const string ComplianceChanged = "compliance.changed";
    public const string GateEvaluated = "gate.evaluated";

    /// <summary>Events about one vendor's batches: what a vendor admin may subscribe to.</summary>
    public static readonly string[] VendorEvents = [BatchReceived, BatchScanned, BatchApproved, BatchRejected, BatchRevoked];

    public static readonly string[] Names = [.. VendorEvents, SnapshotCut, RevocationCompleted, ComplianceChanged, GateEvaluated];

    /// <summary>Adds the event to <paramref name="db"/>'s pending changes, so it is saved (or not) with the change it
    /// reports. <paramref name="data"/> names things by id and digest; it never holds example content or secrets.</summary>
    public static void Publish(VendorGateDb db, string type, Guid? vendorId, object data, DateTimeOffset at)
    {
        var payload = new JsonObject
        {
            ["type"] = type,
            ["timestamp"] = Clock.Timestamp(at),
            ["data"] = JsonSerializer.SerializeToNode(data, JsonSerializerOptions.Web),
        };
        db.Set<WebhookEvent>().Add(new WebhookEvent { Type = type, VendorId = vendorId, Payload = payload.ToJsonString(), At = at });
    }
}
