namespace VendorGate.Gateway.Infrastructure;

/// <summary>
/// The route group of one batch (<c>/v1/batches/{batchId}</c>), one vendor (<c>/v1/vendors/{vendorId}</c>) or one model
/// (<c>/v1/models/{name}</c>), as the owning feature maps it. A feature that serves a sub-resource (a batch's reviews, a
/// vendor's evidence, a model's gate) maps it on this group, so each prefix is written once, in its resource's folder.
/// The group carries no conventions: each feature sets its own tags, filters and policies.
/// </summary>
public sealed record ResourceRoutes(RouteGroupBuilder One);
