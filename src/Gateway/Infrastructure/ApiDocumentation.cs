using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace VendorGate.Gateway.Infrastructure;

public static class ApiDocumentation
{
    public const string DocumentPath = "/openapi/vendorgate.v1.json";

    public static IServiceCollection AddApiDocumentation(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "VendorGate Gateway",
                Version = "v1",
                Description = "The governed write path into a fine-tuning corpus. Authenticate with `Authorization: Bearer vg_<keyid>_<secret>` (an API key), or, for staff, a bearer access token from a configured OpenID provider.",
            });
            o.AddSecurityDefinition("apiKey", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key (vg_<keyid>_<secret>), or a staff member's OpenID Connect access token (JWT) from a configured issuer",
            });
            o.AddSecurityRequirement(document => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("apiKey", document)] = [] });
            o.OperationFilter<StreamedBodyFilter>();
            o.OperationFilter<MultipartBodyFilter>();
            o.OperationFilter<StreamedResponseFilter>();
            o.DocumentFilter<DocumentDetailsFilter>();
            o.CustomSchemaIds(SchemaId);
            o.SupportNonNullableReferenceTypes(); // string? is nullable in the document, string is not: typed clients follow
            o.NonNullableReferenceTypesAsRequired();
        });
        return services;
    }

    /// <summary>Readable schema names a client generator turns into readable classes: <c>BatchView</c>, and for a page
    /// of them <c>BatchViewPage</c>.</summary>
    public static string SchemaId(Type type) => type.IsGenericType
        ? string.Concat(type.GetGenericArguments().Select(SchemaId)) + type.Name[..type.Name.IndexOf('`')]
        : type.Name;

    public static WebApplication UseApiDocumentation(this WebApplication app)
    {
        app.UseSwagger(o => o.RouteTemplate = "openapi/{documentName}.json");
        if (app.Environment.IsDevelopment())
        {
            app.UseSwaggerUI(o => o.SwaggerEndpoint("/openapi/v1.json", "VendorGate v1"));
        }
        return app;
    }
}

/// <summary>Marks an endpoint that reads its body itself as a stream of <paramref name="MediaType"/> (so routing does not
/// answer 415 before the handler can), and documents that body.</summary>
public sealed record StreamedBody(string MediaType, string Description);

internal sealed class StreamedBodyFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<StreamedBody>().FirstOrDefault() is { } body)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = body.Description,
                Content = new Dictionary<string, IOpenApiMediaType>
                {
                    [body.MediaType] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                },
            };
        }
    }
}

/// <summary>Describes a multipart/form-data body field by field, for an endpoint that reads its form itself.</summary>
public sealed record MultipartBody(params MultipartField[] Fields);

/// <param name="Name">The form field.</param>
/// <param name="Description">What it holds.</param>
/// <param name="Required">Whether the request must carry it.</param>
/// <param name="File">A file part (binary) rather than a text value.</param>
public sealed record MultipartField(string Name, string Description, bool Required = false, bool File = false);

internal sealed class MultipartBodyFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<MultipartBody>().FirstOrDefault() is not { } body)
        {
            return;
        }
        var schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = body.Fields.Where(f => f.Required).Select(f => f.Name).ToHashSet(),
            Properties = body.Fields.ToDictionary(f => f.Name, f => (IOpenApiSchema)new OpenApiSchema
            {
                Type = JsonSchemaType.String, Format = f.File ? "binary" : null, Description = f.Description,
            }),
        };
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, IOpenApiMediaType> { ["multipart/form-data"] = new OpenApiMediaType { Schema = schema } },
        };
    }
}

/// <summary>Files and streams (PDFs, NDJSON) declared with <c>Produces(status, contentType)</c> but no CLR type: their
/// responses get the media type and a binary schema, which the generator would otherwise leave out.</summary>
internal sealed class StreamedResponseFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var produces = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Http.Metadata.IProducesResponseTypeMetadata>()
            .Where(m => m.ContentTypes.Any()).ToList();
        foreach (var metadata in produces)
        {
            var code = metadata.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            operation.Responses ??= new OpenApiResponses();
            if (!operation.Responses.TryGetValue(code, out var existing) || existing is not OpenApiResponse response)
            {
                response = new OpenApiResponse { Description = "OK" };
                operation.Responses[code] = response;
            }
            response.Content ??= new Dictionary<string, IOpenApiMediaType>();
            var streamed = metadata.Type is null || metadata.Type == typeof(void);
            // A status with both a JSON body and a stream (a diff's summary or its ?details=true NDJSON) keeps both:
            // the explorer records only one of the two.
            var schema = streamed ? new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } : context.SchemaGenerator.GenerateSchema(metadata.Type!, context.SchemaRepository);
            foreach (var contentType in metadata.ContentTypes)
            {
                response.Content.TryAdd(contentType, new OpenApiMediaType { Schema = schema });
            }
        }
    }
}

/// <summary>The document's servers, licence and tag descriptions; and the 400 every operation can answer (a query string
/// holding U+0000 is refused before routing, see <see cref="NulGuard"/>).</summary>
internal sealed class DocumentDetailsFilter : IDocumentFilter
{
    private static readonly Dictionary<string, string> Tags = new()
    {
        ["Identity"] = "Staff, API keys, enrolment invitations and deactivation.",
        ["Vendors"] = "Labelling vendors, their rosters and their signing keys.",
        ["Batches"] = "Opening a batch, uploading its NDJSON, its status, examples and receipt.",
        ["Attestations"] = "Signed statements (DSSE + in-toto) and the Gateway's keys.",
        ["Reviews"] = "Second-person review and security's overrides of blocking findings.",
        ["Snapshots"] = "Immutable signed snapshots: manifest, content, diff and blame.",
        ["Models"] = "Models and the snapshot each was trained on.",
        ["Revocations"] = "Removing one annotator's (or one batch's) contributions after the fact.",
        ["Audit"] = "The hash-chained audit log, its Merkle checkpoints and proofs.",
        ["Scanning"] = "Scanner findings, known-bad signatures and rescans.",
        ["Eval gates"] = "Eval coverage, canary probes, canary results and the model gate.",
        ["Compliance"] = "Vendor evidence, compliance status and signed attestation reports.",
        ["Health"] = "Liveness and readiness.",
    };

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        document.Servers = [new OpenApiServer { Url = "http://127.0.0.1:5000", Description = "The embedded default (dotnet run); replace with your Gateway's address." }];
        // The repository carries no licence file yet: the API is not offered under an open licence until one is chosen.
        document.Info.License = new OpenApiLicense { Name = "Proprietary" };
        var used = document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []).SelectMany(o => o.Tags ?? new HashSet<OpenApiTagReference>())
            .Select(t => t.Name).Where(n => n is not null).Distinct().Order(StringComparer.Ordinal);
        foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []))
        {
            operation.Responses ??= new OpenApiResponses();
            if (!operation.Responses.Keys.Any(k => k.StartsWith('4')))
            {
                operation.Responses["400"] = new OpenApiResponse { Description = "Bad Request (a query string holding U+0000: nul-character)" };
            }
        }
        document.Tags = used.Select(name => new OpenApiTag { Name = name, Description = Tags.GetValueOrDefault(name!, name!) }).ToHashSet();
    }
}
