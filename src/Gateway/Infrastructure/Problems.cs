using Microsoft.AspNetCore.Http.HttpResults;

namespace VendorGate.Gateway.Infrastructure;

/// <summary>RFC 9457 problems with a stable <c>code</c> (also in <c>type</c>) that clients can switch on.</summary>
public static class Problems
{
    public const string TypePrefix = "https://vendorgate.dev/problems/";

    public static ProblemHttpResult Create(int status, string code, string detail, IDictionary<string, object?>? extensions = null)
    {
        var ext = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>()) { ["code"] = code };
        return TypedResults.Problem(detail: detail, statusCode: status, type: TypePrefix + code, title: Title(status), extensions: ext);
    }

    public static ProblemHttpResult NotFound(string what) => Create(404, "not-found", $"{what} was not found.");

    public static ProblemHttpResult Forbidden(string detail) => Create(403, "forbidden", detail);

    public static ProblemHttpResult Conflict(string code, string detail) => Create(409, code, detail);

    public static ValidationProblem Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: $"Invalid field(s): {string.Join(", ", errors.Keys)}. See errors.",
            type: TypePrefix + "validation", extensions: new Dictionary<string, object?> { ["code"] = "validation" });

    private static string Title(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        409 => "Conflict",
        413 => "Content too large",
        415 => "Unsupported media type",
        503 => "Service unavailable",
        _ => "Error",
    };
}
