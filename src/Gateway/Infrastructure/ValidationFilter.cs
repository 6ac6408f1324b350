using FluentValidation;

namespace VendorGate.Gateway.Infrastructure;

/// <summary>Runs the FluentValidation validator of every bound argument that has one; applied per group.</summary>
public sealed class ValidationFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        // Only the JSON body is walked for NUL characters: the other arguments are services (a DbContext among them,
        // whose sets must never be enumerated) or route and query values the NUL guard has already seen.
        var bodyType = context.HttpContext.GetEndpoint()?.Metadata.OfType<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>().FirstOrDefault()?.RequestType;
        foreach (var argument in context.Arguments)
        {
            if (argument is not null && bodyType is not null && argument.GetType() == bodyType && NulGuard.Holds(argument))
            {
                return Problems.Create(400, "nul-character", NulGuard.Detail);
            }
            if (argument is null || argument.GetType().IsPrimitive || argument is string or Guid or CancellationToken)
            {
                continue;
            }
            var validatorType = typeof(IValidator<>).MakeGenericType(argument.GetType());
            if (context.HttpContext.RequestServices.GetService(validatorType) is not IValidator validator)
            {
                continue;
            }
            var result = await validator.ValidateAsync(new ValidationContext<object>(argument), context.HttpContext.RequestAborted);
            if (!result.IsValid)
            {
                return Problems.Invalid(result.ToDictionary());
            }
        }
        return await next(context);
    }
}
