using VendorGate.Gateway.Attestations;
namespace VendorGate.Gateway.Reviews;

public static class ReviewsSetup
{
    /// <summary>Reviews and overrides: the approval job that counter-signs, and how many approvals a batch needs.</summary>
    public static IServiceCollection AddReviews(this IServiceCollection services)
    {
        services.AddScoped<IAttestationKind, ApprovalAttestation>();
        services.AddOptions<ReviewOptions>().BindConfiguration(ReviewOptions.Section);
        return services;
    }
}
