using FluentValidation;

namespace VendorGate.Gateway.Infrastructure;

/// <summary>Runs the FluentValidation validator of every bound argument that has one; applied per group.</summary>
public sealed class ValidationFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        foreach (var argument in context.Arguments)
        {
            if (argument is string text && text.Contains('\0') || argument is not null && argument.GetType().Namespace?.StartsWith("VendorGate", StringComparison.Ordinal) == true && NulGuard.Holds(argument))
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
