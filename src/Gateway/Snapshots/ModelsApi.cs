using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using VendorGate.Gateway.Audit;
using VendorGate.Gateway.Identity;
using VendorGate.Gateway.Infrastructure;
using VendorGate.Gateway.Storage;

namespace VendorGate.Gateway.Snapshots;

public sealed record RegisterModelRequest(string Name, string SnapshotVersion, string? Notes);

public sealed class RegisterModelValidator : AbstractValidator<RegisterModelRequest>
{
    public RegisterModelValidator()
    {
        RuleFor(r => r.Name).NotEmpty().Matches("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
            .WithMessage("A model name is 1-100 characters: letters, digits, '.', '_' or '-'.");
        RuleFor(r => r.SnapshotVersion).NotEmpty();
        RuleFor(r => r.Notes).MaximumLength(TextLimits.Prose);
    }
}

public sealed record ModelView(string Name, string SnapshotVersion, string? Notes, DateTimeOffset CreatedAt)
{
    public static ModelView Of(Model m) => new(m.Name, m.SnapshotVersion, m.Notes, m.CreatedAt);
}

/// <summary>Models name the snapshot they were trained on, so "who wrote example 47 of the corpus behind model v2.3" is one call.</summary>
public static class ModelsApi
{
    /// <summary>Maps <c>/v1/models</c>; returns the group of one model for the features that serve its sub-resources.</summary>
    public static ResourceRoutes MapModels(this IEndpointRouteBuilder routes)
    {
        var models = routes.MapGroup("/v1/models");
        var group = models.MapGroup("").WithTags("Models").AddEndpointFilter<ValidationFilter>()
            .RequireAuthorization(Policies.ReadCorpus).ProducesProblem(401).ProducesProblem(403);
        group.MapPost("/", Register).RequireAuthorization(Policies.Merge).WithName("RegisterModel")
            .WithSummary("Registers a model trained on a snapshot (maintainer).").ProducesValidationProblem().ProducesProblem(409);
        group.MapGet("/", List).WithName("ListModels").WithSummary("Registered models by name; page with ?cursor=.").ProducesValidationProblem();
        group.MapGet("/{name}", Get).WithName("GetModel").WithSummary("A model and its snapshot.").ProducesProblem(404);
        group.MapGet("/{name}/examples/{index:long}", Blame).WithName("BlameModelExample")
            .WithSummary("Example n of the corpus behind the model, and who is accountable for it.").ProducesProblem(404);
        return new ResourceRoutes(models.MapGroup("/{name}"));
    }

    private static async Task<Results<Ok<Page<ModelView>>, ValidationProblem>> List([FromServices] VendorGateDb db, int? limit, string? cursor,
        CancellationToken ct)
    {
        return await Paging.ByKeyAsync(db.Set<Model>().AsNoTracking(), m => m.Name, cursor, limit, ModelView.Of, ct) is { } page
            ? TypedResults.Ok(page)
            : Paging.BadCursor();
    }

    private static async Task<Results<Created<ModelView>, ValidationProblem, ProblemHttpResult>> Register(
        RegisterModelRequest request, Caller caller, [FromServices] VendorGateDb db, [FromServices] AuditLog audit, [FromServices] TimeProvider time,
        CancellationToken ct)
    {
        if (await SnapshotsApi.FindAsync(db, request.SnapshotVersion, ct) is null)
        {
            return Problems.Invalid("snapshotVersion", $"There is no snapshot {request.SnapshotVersion}.");
        }
        if (await db.Set<Model>().AnyAsync(m => m.Name == request.Name, ct))
        {
            return Problems.Conflict("model-exists", $"A model named '{request.Name}' is already registered.");
        }
        var model = new Model { Name = request.Name, SnapshotVersion = request.SnapshotVersion, Notes = request.Notes, CreatedAt = time.Now(), CreatedBy = caller.Id };
        db.Add(model);
        await audit.RecordAsync(caller.Actor, "model.register", $"model:{model.Name}", new { model.SnapshotVersion }, ct);
        return TypedResults.Created($"/v1/models/{model.Name}", ModelView.Of(model));
    }

    private static async Task<Results<Ok<ModelView>, ProblemHttpResult>> Get(string name, [FromServices] VendorGateDb db, CancellationToken ct) =>
        await db.Set<Model>().AsNoTracking().FirstOrDefaultAsync(m => m.Name == name, ct) is { } model
            ? TypedResults.Ok(ModelView.Of(model))
            : Problems.NotFound($"Model {name}");

    private static async Task<Results<Ok<ExampleBlame>, ProblemHttpResult>> Blame(string name, long index, [FromServices] VendorGateDb db,
        [FromServices] BlameService blame, CancellationToken ct)
    {
        var model = await db.Set<Model>().AsNoTracking().FirstOrDefaultAsync(m => m.Name == name, ct);
        if (model is null || await SnapshotsApi.FindAsync(db, model.SnapshotVersion, ct) is not { } snapshot)
        {
            return Problems.NotFound($"Model {name}");
        }
        return await blame.ForIndexAsync(snapshot, index, ct) is { } result
            ? TypedResults.Ok(result)
            : Problems.NotFound($"Example {index} of the corpus behind {name} (it has {snapshot.Count})");
    }
}
