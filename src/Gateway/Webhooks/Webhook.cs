using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace VendorGate.Gateway.Webhooks;

/// <summary>A subscription: events of <see cref="Events"/> are POSTed to <see cref="Url"/>, signed with
/// <see cref="Secret"/> (Standard Webhooks). A vendor admin's webhook (<see cref="VendorId"/> set) receives only the
/// events of its vendor's batches; a staff member's receives every event it names. Only its creator sees it.</summary>
[Table("webhooks")]
[Index(nameof(CreatedBy))]
public sealed class Webhook
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Url { get; init; }

    /// <summary>Space-separated event types, or <c>*</c>.</summary>
    public required string Events { get; init; }

    public string? Description { get; init; }
    public Guid CreatedBy { get; init; }
    public Guid? VendorId { get; init; }

    /// <summary>The HMAC key (<c>whsec_</c> + base64), shown once at creation. The Gateway must hold it to sign,
    /// so unlike an API key it cannot be kept as a hash.</summary>
    public required string Secret { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public bool Wants(string type) => Events == WebhookEvents.All || Events.Split(' ').Contains(type);
}

/// <summary>Something that happened, recorded in the transaction of the change itself (an outbox): the dispatcher
/// turns it into one delivery per interested webhook and marks it dispatched, so nothing is lost or sent twice.</summary>
[Table("webhook_events")]
[Index(nameof(DispatchedAt))]
public sealed class WebhookEvent
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Type { get; init; }

    /// <summary>The vendor whose batch it is about (batch events), for vendor admins' webhooks.</summary>
    public Guid? VendorId { get; init; }

    /// <summary>The payload (<c>{type, timestamp, data}</c>), as sent: no example content, no secrets.</summary>
    public required string Payload { get; init; }

    public DateTimeOffset At { get; init; }
    public DateTimeOffset? DispatchedAt { get; set; }
}

public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
}

/// <summary>One event for one webhook: its id is the <c>webhook-id</c> header (the same on every attempt, so the
/// receiver can drop duplicates).</summary>
[Table("webhook_deliveries")]
[Index(nameof(WebhookId), nameof(EventId), IsUnique = true)]
[Index(nameof(Status))]
public sealed class WebhookDelivery
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WebhookId { get; init; }
    public Guid EventId { get; init; }
    public required string Type { get; init; }
    public required string Payload { get; init; }
    public required string Status { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public List<WebhookAttempt> Attempts { get; init; } = [];
}

/// <summary>One POST of a delivery and how it ended: the receiver's status code, or why there was none.</summary>
[Table("webhook_attempts")]
[PrimaryKey(nameof(DeliveryId), nameof(Number))]
public sealed class WebhookAttempt
{
    public Guid DeliveryId { get; init; }
    public int Number { get; init; }
    public DateTimeOffset At { get; init; }
    public int? StatusCode { get; init; }
    public string? Error { get; init; }
    public int DurationMs { get; init; }
}

internal sealed class WebhookDeliveryMapping : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> delivery)
    {
        delivery.HasMany(d => d.Attempts).WithOne().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        delivery.HasOne<Webhook>().WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Cascade);
    }
}
