using System.Security.Cryptography;
using FluentValidation;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Webhooks;

/// <summary>A subscription: <c>url</c> (http or https, no user name or password in it) receives the <c>events</c>
/// (batch.received, batch.scanned, batch.approved, batch.rejected, batch.revoked, snapshot.cut, revocation.completed,
/// compliance.changed, gate.evaluated, or <c>*</c> for all).</summary>
public sealed record CreateWebhookRequest(string Url, string[] Events, string? Description);

public sealed class CreateWebhookValidator : AbstractValidator<CreateWebhookRequest>
{
    public CreateWebhookValidator()
    {
        RuleFor(r => r.Url).NotEmpty().MaximumLength(2000)
            .Must(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.UserInfo.Length == 0 && uri.Fragment.Length == 0)
            .WithMessage("url is an absolute http(s) URL without user information or fragment.");
        RuleFor(r => r.Events).NotEmpty().WithMessage($"Name at least one event: {string.Join(", ", WebhookEvents.Names)}, or *.");
        RuleForEach(r => r.Events).Must(e => e == WebhookEvents.All || WebhookEvents.Names.Contains(e))
            .WithMessage(e => $"Events are {string.Join(", ", WebhookEvents.Names)}, or *.");
        RuleFor(r => r.Description).MaximumLength(TextLimits.Name);
    }
}

public sealed record WebhookView(Guid Id, string Url, IReadOnlyList<string> Events, string? Description, Guid? VendorId, DateTimeOffset CreatedAt)
{
    public static WebhookView Of(Webhook w) => new(w.Id, w.Url, w.Events.Split(' '), w.Description, w.VendorId, w.CreatedAt);
}

/// <summary>A new webhook with its signing secret (<c>whsec_…</c>), shown this once: verify each delivery's
/// <c>webhook-signature</c> with it (Standard Webhooks).</summary>
public sealed record CreatedWebhook(Guid Id, string Url, IReadOnlyList<string> Events, string? Description, Guid? VendorId, DateTimeOffset CreatedAt,
    string Secret);

public sealed record AttemptView(int Number, DateTimeOffset At, int? StatusCode, string? Error, int DurationMs);

public sealed record DeliveryView(Guid Id, string Type, string Status, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt, IReadOnlyList<AttemptView> Attempts)
{
    public static DeliveryView Of(WebhookDelivery d) => new(d.Id, d.Type, d.Status, d.CreatedAt, d.DeliveredAt,
        [.. d.Attempts.OrderBy(a => a.Number).Select(a => new AttemptView(a.Number, a.At, a.StatusCode, a.Error, a.DurationMs))]);
}

/// <summary>Signed webhooks (<c>/v1/webhooks</c>): a vendor admin subscribes to its vendor's batch events, staff to
/// any event; deliveries are signed per Standard Webhooks, retried with back-off, logged, and redelivered on request.</summary>
public static class WebhooksApi
{
    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/webhooks").WithTags("Webhooks").RequireAuthorization(Policies.ManageWebhooks)
            .ProducesProblem(401).ProducesProblem(403);
        group.MapPost("/", Create).AddEndpointFilter<ValidationFilter>().WithName("CreateWebhook")
            .WithSummary("Subscribes a URL to events; the signing secret is in the answer, once (vendor-admin: its vendor's batch events; staff: any).")
            .ProducesValidationProblem();
        group.MapGet("/", List).WithName("ListWebhooks").WithSummary("Your webhooks, newest first; page with ?cursor=.").ProducesValidationProblem();
        group.MapGet("/{webhookId:guid}", Get).WithName("GetWebhook").WithSummary("One of your webhooks (without its secret).").ProducesProblem(404);
        group.MapDelete("/{webhookId:guid}", Delete).WithName("DeleteWebhook").WithSummary("Removes the webhook and its deliveries.").ProducesProblem(404);
        group.MapGet("/{webhookId:guid}/deliveries", Deliveries).WithName("ListWebhookDeliveries")
            .WithSummary("The webhook's deliveries, newest first, each with every attempt (status code or error, duration); page with ?cursor=.")
            .ProducesValidationProblem().ProducesProblem(404);
        group.MapPost("/{webhookId:guid}/deliveries/{deliveryId:guid}/redelivery", Redeliver).WithName("RedeliverWebhook")
            .WithSummary("Sends a delivery again (same webhook-id, a new attempt), whatever became of it.").ProducesProblem(404);
        return routes;
    }

    private static async Task<Results<Created<CreatedWebhook>, ValidationProblem, ProblemHttpResult>> Create(CreateWebhookRequest request, Caller caller,
        [FromServices] VendorGateDb db, [FromServices] AuditLog audit, [FromServices] IOptions<WebhookOptions> options, [FromServices] TimeProvider time,
        CancellationToken ct)
    {
        var vendorAdmin = caller.IsVendor;
        if (vendorAdmin && request.Events.FirstOrDefault(e => e != WebhookEvents.All && !WebhookEvents.VendorEvents.Contains(e)) is { } staffOnly)
        {
            return Problems.Invalid("events", $"'{staffOnly}' is for staff; a vendor admin subscribes to its vendor's batch events: {string.Join(", ", WebhookEvents.VendorEvents)}.");
        }
        var url = new Uri(request.Url);
        if ((await NetworkGuard.ResolveAsync(url.IdnHost, options.Value.AllowPrivateNetworks, ct)).Refusal is { } refusal)
        {
            return Problems.Create(400, "webhook-url-refused", refusal);
        }
        var webhook = new Webhook
        {
            Url = url.ToString(), Events = request.Events.Contains(WebhookEvents.All) ? WebhookEvents.All : string.Join(' ', request.Events.Distinct()),
            Description = request.Description?.Trim(), CreatedBy = caller.Id, VendorId = vendorAdmin ? caller.VendorId : null,
            Secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), CreatedAt = time.Now(),
        };
        db.Add(webhook);
        await audit.RecordAsync(caller.Actor, "webhook.create", $"webhook:{webhook.Id}", new { webhook.Url, webhook.Events, webhook.VendorId }, ct);
        var view = WebhookView.Of(webhook);
        return TypedResults.Created($"/v1/webhooks/{webhook.Id}",
            new CreatedWebhook(view.Id, view.Url, view.Events, view.Description, view.VendorId, view.CreatedAt, webhook.Secret));
    }

    private static async Task<Results<Ok<Page<WebhookView>>, ValidationProblem, ProblemHttpResult>> List(Caller caller, [FromServices] VendorGateDb db,
        int? limit,
        string? cursor, CancellationToken ct) =>
        await Paging.ByIdAsync(Own(db, caller), w => w.Id, newestFirst: true, cursor, limit, ct) is { } page
            ? TypedResults.Ok(page.Select(WebhookView.Of))
            : Paging.BadCursor();

    private static async Task<Results<Ok<WebhookView>, ProblemHttpResult>> Get(Guid webhookId, Caller caller, [FromServices] VendorGateDb db,
        CancellationToken ct) =>
        await Own(db, caller).FirstOrDefaultAsync(w => w.Id == webhookId, ct) is { } webhook ? TypedResults.Ok(WebhookView.Of(webhook)) : Problems.NotFound("Webhook");

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid webhookId, Caller caller, [FromServices] VendorGateDb db,
        [FromServices] AuditLog audit, CancellationToken ct)
    {
        if (await Own(db, caller).FirstOrDefaultAsync(w => w.Id == webhookId, ct) is not { } webhook)
        {
            return Problems.NotFound("Webhook");
        }
        db.Remove(webhook);
        await audit.RecordAsync(caller.Actor, "webhook.delete", $"webhook:{webhookId}", new { webhook.Url }, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<Page<DeliveryView>>, ValidationProblem, ProblemHttpResult>> Deliveries(Guid webhookId, Caller caller,
        [FromServices] VendorGateDb db, int? limit, string? cursor, CancellationToken ct)
    {
        if (!await Own(db, caller).AnyAsync(w => w.Id == webhookId, ct))
        {
            return Problems.NotFound("Webhook");
        }
        var query = db.Set<WebhookDelivery>().AsNoTracking().Include(d => d.Attempts).Where(d => d.WebhookId == webhookId);
        return await Paging.ByIdAsync(query, d => d.Id, newestFirst: true, cursor, limit, ct) is { } page
            ? TypedResults.Ok(page.Select(DeliveryView.Of))
            : Paging.BadCursor();
    }

    private static async Task<Results<Accepted<DeliveryView>, ProblemHttpResult>> Redeliver(Guid webhookId, Guid deliveryId, Caller caller,
        [FromServices] VendorGateDb db, [FromServices] IBackgroundJobClient jobs, CancellationToken ct)
    {
        var delivery = await db.Set<WebhookDelivery>().Include(d => d.Attempts)
            .FirstOrDefaultAsync(d => d.Id == deliveryId && d.WebhookId == webhookId && Own(db, caller).Any(w => w.Id == webhookId), ct);
        if (delivery is null)
        {
            return Problems.NotFound("Delivery");
        }
        delivery.Status = DeliveryStatus.Pending;
        await db.SaveChangesAsync(ct);
        WebhookSender.Enqueue(jobs, delivery.Id, delivery.Attempts.Count + 1, retries: false);
        return TypedResults.Accepted($"/v1/webhooks/{webhookId}/deliveries", DeliveryView.Of(delivery));
    }

    /// <summary>The caller's own webhooks: another's, even of the same vendor, is not found.</summary>
    private static IQueryable<Webhook> Own(VendorGateDb db, Caller caller) => db.Set<Webhook>().AsNoTracking().Where(w => w.CreatedBy == caller.Id);
}
