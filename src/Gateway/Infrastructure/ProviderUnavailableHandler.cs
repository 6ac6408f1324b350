using Microsoft.AspNetCore.Diagnostics;
using VendorGate.Attest.Signing;
using VendorGate.Gateway.Storage.Blobs;

namespace VendorGate.Gateway.Infrastructure;

/// <summary>A request that needs a provider which cannot serve answers 503 with <c>Retry-After</c>, whichever
/// implementation is configured: each signer reports its service's failures as <see cref="SignerUnavailableException"/>
/// (<c>signer-unavailable</c>: an audit checkpoint, a compliance report), each blob store as
/// <see cref="BlobStoreUnavailableException"/> (<c>storage-unavailable</c>), a database that is busy or briefly
/// unreachable (<c>database-busy</c>). A failure that will not pass by waiting
/// says that an administrator must act.</summary>
internal sealed class ProviderUnavailableHandler(ILogger<ProviderUnavailableHandler> logger) : IExceptionHandler
{
    private static readonly TimeSpan DefaultRetry = TimeSpan.FromSeconds(30);

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        (string Code, string What, bool Transient, TimeSpan? RetryAfter)? failure = exception switch
        {
            SignerUnavailableException s => ("signer-unavailable", "signer", s.Transient, s.RetryAfter),
            BlobStoreUnavailableException b => ("storage-unavailable", "blob store", b.Transient, null),
            _ when Busy(exception) => ("database-busy", "database", true, TimeSpan.FromSeconds(5)),
            _ => null,
        };
        if (failure is not { } known || context.Response.HasStarted)
        {
            return false; // a download that fails part-way is cut short: its client sees fewer bytes than announced
        }
        var (code, what, transient, retryAfter) = known;
        logger.LogWarning("{Method} {Path} needed the {Provider}, which could not serve: {Reason}", context.Request.Method, context.Request.Path, what, exception.Message);
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling((retryAfter ?? DefaultRetry).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var detail = transient
            ? $"The {what} could not serve the request ({exception.Message}); try again shortly."
            : $"The {what} refused ({exception.Message}); an administrator must fix its configuration or access.";
        await Problems.Create(503, code, detail).ExecuteAsync(context);
        return true;
    }

    /// <summary>The database could not take the statement now: SQLite's one writer held past
    /// <c>VendorGate:SqliteBusyTimeout</c> (SQLITE_BUSY, SQLITE_LOCKED), or a failure PostgreSQL's driver calls transient.
    /// EF Core wraps what <c>SaveChanges</c> meets in a <see cref="Microsoft.EntityFrameworkCore.DbUpdateException"/>.</summary>
    private static bool Busy(Exception exception) => (exception as System.Data.Common.DbException ?? exception.InnerException as System.Data.Common.DbException) switch
    {
        Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 5 or 6 } => true,
        Npgsql.NpgsqlException { IsTransient: true } => true,
        _ => false,
    };
}
