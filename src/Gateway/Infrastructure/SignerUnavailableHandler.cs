using Microsoft.AspNetCore.Diagnostics;
using VendorGate.Attest.Signing;

namespace VendorGate.Gateway.Infrastructure;

/// <summary>A request that needs a signature while the signer cannot sign (an audit checkpoint, a compliance report)
/// answers 503 <c>signer-unavailable</c> with <c>Retry-After</c>, whichever signer holds the key: each one reports its
/// own service's failures as <see cref="SignerUnavailableException"/>.</summary>
internal sealed class SignerUnavailableHandler(ILogger<SignerUnavailableHandler> logger) : IExceptionHandler
{
    private static readonly TimeSpan DefaultRetry = TimeSpan.FromSeconds(30);

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not SignerUnavailableException unavailable)
        {
            return false;
        }
        logger.LogWarning("{Method} {Path} needed the signer, which could not sign: {Reason}", context.Request.Method, context.Request.Path, unavailable.Message);
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling((unavailable.RetryAfter ?? DefaultRetry).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var detail = unavailable.Transient
            ? $"The signer could not sign ({unavailable.Message}); try again shortly."
            : $"The signer refused ({unavailable.Message}); an administrator must fix the signer's configuration or the key's access.";
        await Problems.Create(503, "signer-unavailable", detail).ExecuteAsync(context);
        return true;
    }
}
